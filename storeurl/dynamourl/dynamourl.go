// Package dynamourl opens DynamoDB store URLs for a urlopen.Set, with
// drivers/dynamostore over the AWS SDK:
//
//	dynamodb://HOST:PORT   a DynamoDB endpoint such as DynamoDB Local, over http
//	dynamodb://aws         DynamoDB on AWS, with the default AWS configuration
//
// table= names the table (default "narvik-sessions"), region= the region
// (for an endpoint, default us-east-1).
package dynamourl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/dynamostore"
	"github.com/narvik-go/narvik/storeurl/urlopen"
)

// Defaults of the URL's parameters.
const (
	DefaultTable = "narvik-sessions"
	// DefaultRegion is the region of a dynamodb://HOST:PORT endpoint
	// unless region= says otherwise; DynamoDB Local accepts any.
	DefaultRegion = "us-east-1"
)

// Opener returns the opener of dynamodb:// URLs.
func Opener() urlopen.Opener { return opener{} }

type opener struct{}

func (opener) Kinds() []urlopen.Kind { return []urlopen.Kind{urlopen.DynamoDB} }
func (opener) Forms() string         { return "dynamodb://HOST:PORT, dynamodb://aws" }

// target is what a dynamodb:// URL names.
type target struct {
	endpoint string // "" for AWS
	region   string // "" for the AWS configuration's
	table    string
}

func (opener) Parse(raw string) (urlopen.Parsed, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return urlopen.Parsed{}, err
	}
	q := u.Query()
	for k := range q {
		if k != "table" && k != "region" {
			return urlopen.Parsed{}, fmt.Errorf("unknown parameter %q: dynamodb:// takes table= and region=", k)
		}
	}
	t := target{table: DefaultTable, region: q.Get("region")}
	if v := q.Get("table"); v != "" {
		t.table = v
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.Host == "" {
		return urlopen.Parsed{}, errors.New("want dynamodb://HOST:PORT (an endpoint such as DynamoDB Local) or dynamodb://aws")
	}
	var desc string
	switch {
	case u.Host == "aws":
		where := "the default AWS configuration's region"
		if t.region != "" {
			where = "region " + t.region
		}
		desc = fmt.Sprintf("DynamoDB on AWS, %s (table %s)", where, t.table)
	case u.Port() == "":
		return urlopen.Parsed{}, fmt.Errorf("endpoint %q has no port: want dynamodb://HOST:PORT, such as dynamodb://127.0.0.1:8000", u.Host)
	default:
		if t.region == "" {
			t.region = DefaultRegion
		}
		t.endpoint = "http://" + u.Host
		desc = fmt.Sprintf("DynamoDB %s (table %s)", t.endpoint, t.table)
	}
	return urlopen.Parsed{Description: desc, Open: t.open}, nil
}

func (t target) open(ctx context.Context) (narvik.SessionStore, func() error, error) {
	var loads []func(*config.LoadOptions) error
	if t.region != "" {
		loads = append(loads, config.WithRegion(t.region))
	}
	if t.endpoint != "" {
		// A local endpoint (DynamoDB Local) takes any credentials; placeholder
		// ones spare a lookup of the AWS credential chain, which can wait
		// seconds for an instance metadata service that is not there.
		loads = append(loads, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("narvik", "local", "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loads...)
	if err != nil {
		return nil, nil, err
	}
	// An HTTP transport of the store's own, built as the configuration
	// says (a CA bundle, say), so that Close can end its idle connections:
	// the SDK's clients have no Close.
	closeIdle := func() {}
	if b, ok := cfg.HTTPClient.(*awshttp.BuildableClient); ok {
		tr := b.GetTransport()
		cfg.HTTPClient = &http.Client{Transport: tr}
		closeIdle = tr.CloseIdleConnections
	}
	client := dynamodb.NewFromConfig(cfg, func(d *dynamodb.Options) {
		if t.endpoint != "" {
			d.BaseEndpoint = aws.String(t.endpoint)
			d.DisableValidateResponseChecksum = true
		}
	})
	st, err := dynamostore.New(client, t.table)
	if err != nil {
		return nil, nil, urlopen.Refused(err)
	}
	// A read that needs no table: the table may not exist yet (ensure-schema).
	if _, err := client.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)}); err != nil {
		closeIdle()
		return nil, nil, err
	}
	return st, func() error { closeIdle(); return nil }, nil
}
