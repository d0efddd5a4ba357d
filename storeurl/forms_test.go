package storeurl_test

import (
	"testing"

	"github.com/narvik-go/narvik/storeurl"
	"github.com/narvik-go/narvik/storeurl/urlopen"
)

// TestFormsListsEveryOpener: the Forms constant, which usage texts quote,
// is what the openers of every driver say.
func TestFormsListsEveryOpener(t *testing.T) {
	if got := urlopen.New(storeurl.Openers()...).Forms(); got != storeurl.Forms {
		t.Fatalf("the openers list\n%s\nbut Forms is\n%s", got, storeurl.Forms)
	}
}
