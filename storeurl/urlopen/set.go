package urlopen

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/narvik-go/narvik/storeurl/internal/urlparse"
)

// A Set parses and opens store URLs: memory and bolt:PATH itself, every
// other kind with the Opener it was made with. Its zero value opens memory
// and bolt:PATH only. A Set is immutable, and safe for concurrent use.
type Set struct {
	openers []Opener
}

// New returns a Set that opens memory, bolt:PATH and the kinds of the
// openers. Nil openers are skipped, so that a program can pass the opener
// of a driver it may have been built without; of two openers of the same
// kind, the later one is used.
func New(openers ...Opener) *Set {
	return &Set{openers: slices.DeleteFunc(slices.Clone(openers), func(o Opener) bool { return o == nil })}
}

// all is the built-in openers, then the Set's own.
func (s *Set) all() []Opener {
	all := []Opener{memoryOpener{}, boltOpener{}}
	if s != nil {
		all = append(all, s.openers...)
	}
	return all
}

// opener returns the opener of kind k, nil for none.
func (s *Set) opener(k Kind) Opener {
	all := s.all()
	for i := len(all) - 1; i >= 0; i-- {
		if slices.Contains(all[i].Kinds(), k) {
			return all[i]
		}
	}
	return nil
}

// Forms lists the URL forms the Set opens, for usage texts.
func (s *Set) Forms() string {
	var forms []string
	for _, o := range s.all() {
		forms = append(forms, o.Forms())
	}
	return strings.Join(forms, ", ")
}

// Parse checks a store URL (see package storeurl for the forms) and
// returns what it names. It does no I/O. Errors wrap ErrBadURL and say
// what is wrong; a URL of a kind the Set has no Opener for gets a
// *NotBuiltInError.
func (s *Set) Parse(raw string) (*Spec, error) {
	kind := kindOf(raw)
	switch {
	case raw == "":
		return nil, fmt.Errorf("%w: empty; use one of %s", ErrBadURL, s.Forms())
	case kind == "":
		return nil, bad(raw, "unknown kind of store; use one of %s", s.Forms())
	}
	o := s.opener(kind)
	if o == nil {
		return nil, &NotBuiltInError{Kind: kind, URL: urlparse.Redact(raw), Forms: s.Forms()}
	}
	p, err := o.Parse(raw)
	if err != nil {
		return nil, bad(raw, "%v", err)
	}
	return &Spec{Kind: kind, desc: p.Description, file: p.File, open: p.Open}, nil
}

// Open parses rawURL and opens the store it names (see Spec.Open).
func (s *Set) Open(ctx context.Context, rawURL string, opts ...Option) (*Opened, error) {
	spec, err := s.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	return spec.Open(ctx, opts...)
}

func bad(raw, format string, args ...any) error {
	return fmt.Errorf("%w %s: %s", ErrBadURL, urlparse.Redact(raw), fmt.Sprintf(format, args...))
}
