package dynamostore_test

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/dynamostore"
)

// Profile is the session data of this example.
type Profile struct {
	Name string `json:"name"`
}

// Example creates the table, then a session, validates its token and signs
// the user out everywhere. It needs a DynamoDB: AWS credentials from the
// environment, or a DynamoDB Local named by NARVIK_DYNAMODB_ENDPOINT (start
// one with scripts/dynamodb.sh up). TestExample runs it and checks its output.
func Example() {
	ctx := context.Background()

	// In production, build the client from your AWS configuration:
	//
	//	cfg, err := config.LoadDefaultConfig(ctx) // github.com/aws/aws-sdk-go-v2/config
	//	client := dynamodb.NewFromConfig(cfg)
	//
	// Here it talks to DynamoDB Local (scripts/dynamodb.sh up), which
	// accepts any region and credentials.
	endpoint := os.Getenv("NARVIK_DYNAMODB_ENDPOINT") // e.g. http://127.0.0.1:8010
	client := dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
		DisableValidateResponseChecksum: true, // DynamoDB Local's error replies carry none
	})

	store, err := dynamostore.New(client, "narvik-example-sessions")
	if err != nil {
		fmt.Println(err)
		return
	}
	// Once at start-up; a no-op (two reads) when the table is ready.
	if err := store.EnsureSchema(ctx); err != nil {
		fmt.Println(err)
		return
	}
	auth, err := narvik.New[Profile](store)
	if err != nil {
		fmt.Println(err)
		return
	}

	// Sign-in: the token goes into the cookie; DynamoDB sees only its hash.
	created, err := auth.CreateSession(ctx, "user-42", Profile{Name: "Ada"})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Every request: validate the token from the cookie.
	s, err := auth.ValidateSession(ctx, created.Token)
	if err != nil {
		fmt.Println(err) // the store failed: answer 503, do not sign out
		return
	}
	fmt.Println("signed in:", s.UserID, s.Data.Name)

	// Password change: sign out everywhere.
	if err := auth.DeleteSessionsForUser(ctx, "user-42"); err != nil {
		fmt.Println(err)
		return
	}
	s, err = auth.ValidateSession(ctx, created.Token)
	fmt.Println("after sign-out everywhere:", s, err)
}
