package dynamostore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"github.com/narvik-go/narvik/drivers/dynamostore"
	"github.com/narvik-go/narvik/internal/testenv"
	"github.com/narvik-go/narvik/internal/testkit"
)

// endpoint returns the shared DynamoDB Local's URL, or skips (fails under CI).
func endpoint(t testing.TB) string {
	t.Helper()
	return testenv.Get(t, "NARVIK_DYNAMODB_ENDPOINT", "scripts/dynamodb.sh up")
}

// newClient returns a client for the DynamoDB at url, configured as the
// package documentation tells DynamoDB Local users to. extra options are
// applied last.
func newClient(t testing.TB, url string, extra ...func(*dynamodb.Options)) *dynamodb.Client {
	t.Helper()
	return dynamodb.New(localOptions(url), extra...)
}

// localOptions configures a client for a DynamoDB Local at url without the
// AWS configuration chain (which this module does not require): any region
// and any static credentials do.
func localOptions(url string) dynamodb.Options {
	return dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test", Source: "narvik tests"}, nil
		}),
		DisableValidateResponseChecksum: true, // DynamoDB Local's error replies carry none
	}
}

// uniqueTable returns a fresh table name for one test.
func uniqueTable(t testing.TB) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := strings.NewReplacer("/", "-", " ", "_").Replace(t.Name())
	if len(name) > 150 {
		name = name[:150]
	}
	return "narvik-" + name + "-" + hex.EncodeToString(b[:])
}

// newTableStore returns a store on a fresh table that EnsureSchema made,
// and deletes the table when the test ends.
func newTableStore(t testing.TB, client *dynamodb.Client, opts ...dynamostore.Option) (*dynamostore.Store, string) {
	t.Helper()
	table := uniqueTable(t)
	s, err := dynamostore.New(client, table, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.EnsureSchema(ctx); err != nil {
		t.Fatalf("EnsureSchema: %v", err)
	}
	t.Cleanup(func() { dropTable(t, client, table) })
	return s, table
}

func dropTable(t testing.TB, client *dynamodb.Client, table string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(table)}); err != nil {
		t.Errorf("DeleteTable(%s): %v", table, err)
	}
}

// opRecorder counts the DynamoDB operations a client sends, by input type
// ("GetItem", "Query", ...), so tests can assert round trips.
type opRecorder struct {
	mu  sync.Mutex
	ops map[string]int
}

func (r *opRecorder) option(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("narvikOpRecorder",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				name := strings.TrimSuffix(strings.TrimPrefix(fmt.Sprintf("%T", in.Parameters), "*dynamodb."), "Input")
				r.mu.Lock()
				if r.ops == nil {
					r.ops = map[string]int{}
				}
				r.ops[name]++
				r.mu.Unlock()
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	})
}

// take returns the counts so far and starts again from zero.
func (r *opRecorder) take() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	ops := r.ops
	r.ops = nil
	if ops == nil {
		ops = map[string]int{}
	}
	return ops
}

// testHTTPClient returns an HTTP client whose idle connections the test can
// close, so that goleak sees no connection goroutines left behind.
func testHTTPClient() (*http.Client, *http.Transport) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	return &http.Client{Transport: tr}, tr
}

// startLocal starts a private DynamoDB Local for one test, on a port of its
// own, keeping its tables in the server's folder (-dbPath) so that they
// survive Kill and Restart. It needs the distribution scripts/dynamodb.sh
// installs (NARVIK_DYNAMODB_LOCAL_DIR) and Java.
func startLocal(t *testing.T) *testkit.Server {
	t.Helper()
	dist := testenv.Get(t, "NARVIK_DYNAMODB_LOCAL_DIR", "scripts/dynamodb.sh up")
	if _, err := exec.LookPath("java"); err != nil {
		testenv.Missing(t, "java is not on PATH; a private DynamoDB Local needs Java 17")
	}
	if _, err := os.Stat(filepath.Join(dist, "Launcher.class")); err != nil {
		t.Fatalf("NARVIK_DYNAMODB_LOCAL_DIR=%s has no Launcher.class (run scripts/dynamodb.sh up): %v", dist, err)
	}
	return testkit.StartServer(t, testkit.ServerSpec{
		Name: "dynamodb-local",
		Command: func(port int, dir string) *exec.Cmd {
			// C1 only and the serial GC halve the JVM's start-up (about 2 s
			// instead of 4 s here); this server's throughput does not matter.
			return exec.Command("java", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
				"-Djava.library.path="+filepath.Join(dist, "DynamoDBLocal_lib"),
				"-cp", dist+":"+filepath.Join(dist, "DynamoDBLocal.jar")+":"+filepath.Join(dist, "DynamoDBLocal_lib", "*"),
				"Launcher", "-port", strconv.Itoa(port), "-dbPath", dir, "-sharedDb", "-disableTelemetry")
		},
		Ready:   localAnswers,
		Timeout: 2 * time.Minute, // a JVM on a loaded machine
	})
}

// localAnswers reports whether the DynamoDB Local on port answers HTTP. Its
// connection is closed before it returns, so that goleak sees nothing of it.
func localAnswers(port int) bool {
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: time.Second}
	resp, err := hc.Get("http://127.0.0.1:" + strconv.Itoa(port))
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}
