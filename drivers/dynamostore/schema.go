package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/narvik-go/narvik/storekit"
)

// tableWait bounds how long EnsureSchema waits for a new table (and its index)
// to become ACTIVE; ctx may cut it shorter.
const tableWait = 5 * time.Minute

// EnsureSchema makes the table ready for the store, and is safe to call on
// every start-up, from many processes at once. It implements
// narvik.SchemaEnsurer:
//
//   - If the table is missing, it creates it (on-demand billing, partition
//     key id, the userId-index GSI projecting all attributes) and waits until
//     the table and the index are ACTIVE.
//   - It checks that an existing table has that key schema and index, and
//     returns ErrTableSchema if not; it never alters keys or indexes.
//   - Unless the store was made WithExpiredSweep, it enables TTL on the ttl
//     attribute when TTL is disabled, and returns ErrTableSchema when TTL is
//     on another attribute.
//
// When everything is in place it only reads (DescribeTable and
// DescribeTimeToLive) and changes nothing. It needs the IAM permissions
// dynamodb:DescribeTable, CreateTable, DescribeTimeToLive and UpdateTimeToLive;
// a deployment that creates the table with infrastructure-as-code does not
// need to call it. A DAX client cannot run it (DAX serves only item
// operations): use a *dynamodb.Client for it.
func (s *Store) EnsureSchema(ctx context.Context) error {
	desc, err := s.describe(ctx)
	var missing *types.ResourceNotFoundException
	switch {
	case errors.As(err, &missing):
		if err := s.createTable(ctx); err != nil {
			return err
		}
		if desc, err = s.waitActive(ctx); err != nil {
			return err
		}
	case err != nil:
		return err
	case !active(desc):
		// Created by someone else a moment ago, or an index being built.
		if desc, err = s.waitActive(ctx); err != nil {
			return err
		}
	}
	if err := checkSchema(desc); err != nil {
		return fmt.Errorf("%w: table %s: %s", ErrTableSchema, s.table, err)
	}
	if s.ExpiresNatively() {
		return s.ensureTTL(ctx)
	}
	return nil
}

// EnsureTable is EnsureSchema.
//
// Deprecated: use EnsureSchema, the name every narvik driver that needs a
// schema gives this step (narvik.SchemaEnsurer).
func (s *Store) EnsureTable(ctx context.Context) error { return s.EnsureSchema(ctx) }

func (s *Store) describe(ctx context.Context) (*types.TableDescription, error) {
	out, err := s.db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(s.table)})
	if err != nil {
		return nil, storekit.Wrap(ctx, "dynamostore: ensure schema: DescribeTable", err)
	}
	return out.Table, nil
}

func (s *Store) createTable(ctx context.Context) error {
	_, err := s.db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(s.table),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(IDAttribute), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(UserIDAttribute), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(IDAttribute), KeyType: types.KeyTypeHash},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String(IndexName),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(UserIDAttribute), KeyType: types.KeyTypeHash},
			},
			// ALL: listing a user's sessions needs no read of the base table.
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	})
	var inUse *types.ResourceInUseException
	if errors.As(err, &inUse) {
		return nil // another process created it first; waitActive follows
	}
	if err != nil {
		return storekit.Wrap(ctx, "dynamostore: ensure schema: CreateTable", err)
	}
	return nil
}

// waitActive waits until the table and all its global secondary indexes are
// ACTIVE, polling DescribeTable from 1 s up to 20 s apart.
func (s *Store) waitActive(ctx context.Context) (*types.TableDescription, error) {
	w := dynamodb.NewTableExistsWaiter(s.db, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = time.Second
		o.MaxDelay = 20 * time.Second
		next := o.Retryable
		o.Retryable = func(ctx context.Context, in *dynamodb.DescribeTableInput, out *dynamodb.DescribeTableOutput, err error) (bool, error) {
			if err == nil && out != nil && out.Table != nil && out.Table.TableStatus == types.TableStatusActive && !active(out.Table) {
				return true, nil // the table is ACTIVE, an index is not yet
			}
			return next(ctx, in, out, err)
		}
	})
	out, err := w.WaitForOutput(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(s.table)}, tableWait)
	if err != nil {
		return nil, storekit.Wrap(ctx, "dynamostore: ensure schema: waiting until ACTIVE", err)
	}
	return out.Table, nil
}

// active reports whether the table and every one of its GSIs are ACTIVE.
func active(t *types.TableDescription) bool {
	if t.TableStatus != types.TableStatusActive {
		return false
	}
	for _, g := range t.GlobalSecondaryIndexes {
		if g.IndexStatus != types.IndexStatusActive {
			return false
		}
	}
	return true
}

// checkSchema says how t differs from the layout the store needs.
func checkSchema(t *types.TableDescription) error {
	if !hashKeyOnly(t.KeySchema, IDAttribute) {
		return fmt.Errorf("key schema must be the partition key %q alone", IDAttribute)
	}
	if typ := attrType(t, IDAttribute); typ != types.ScalarAttributeTypeS {
		return fmt.Errorf("attribute %q must be of type S, is %q", IDAttribute, typ)
	}
	for _, g := range t.GlobalSecondaryIndexes {
		if aws.ToString(g.IndexName) != IndexName {
			continue
		}
		if !hashKeyOnly(g.KeySchema, UserIDAttribute) {
			return fmt.Errorf("index %s must have the partition key %q alone", IndexName, UserIDAttribute)
		}
		if typ := attrType(t, UserIDAttribute); typ != types.ScalarAttributeTypeS {
			return fmt.Errorf("attribute %q must be of type S, is %q", UserIDAttribute, typ)
		}
		if g.Projection == nil || g.Projection.ProjectionType != types.ProjectionTypeAll {
			return fmt.Errorf("index %s must project ALL attributes", IndexName)
		}
		return nil
	}
	return fmt.Errorf("no global secondary index %s on %q", IndexName, UserIDAttribute)
}

func hashKeyOnly(ks []types.KeySchemaElement, name string) bool {
	return len(ks) == 1 && ks[0].KeyType == types.KeyTypeHash && aws.ToString(ks[0].AttributeName) == name
}

func attrType(t *types.TableDescription, name string) types.ScalarAttributeType {
	for _, a := range t.AttributeDefinitions {
		if aws.ToString(a.AttributeName) == name {
			return a.AttributeType
		}
	}
	return ""
}

// ensureTTL enables TTL on TTLAttribute unless it is already on (or being
// turned on).
func (s *Store) ensureTTL(ctx context.Context) error {
	out, err := s.db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(s.table)})
	if err != nil {
		return storekit.Wrap(ctx, "dynamostore: ensure schema: DescribeTimeToLive", err)
	}
	var status types.TimeToLiveStatus
	var attr string
	if d := out.TimeToLiveDescription; d != nil {
		status, attr = d.TimeToLiveStatus, aws.ToString(d.AttributeName)
	}
	switch status {
	case types.TimeToLiveStatusEnabled, types.TimeToLiveStatusEnabling:
		if attr != TTLAttribute {
			return fmt.Errorf("%w: table %s: TTL is on attribute %q, want %q", ErrTableSchema, s.table, attr, TTLAttribute)
		}
		return nil
	case types.TimeToLiveStatusDisabling:
		return fmt.Errorf("%w: table %s: TTL is being disabled; DynamoDB refuses to enable it again until that ends (up to an hour)", ErrTableSchema, s.table)
	}
	_, err = s.db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(s.table),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(TTLAttribute),
			Enabled:       aws.Bool(true),
		},
	})
	if err != nil {
		// Another process may have enabled it between our Describe and
		// Update; DynamoDB then refuses ours. That is success.
		if again, derr := s.db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(s.table)}); derr == nil {
			if d := again.TimeToLiveDescription; d != nil && aws.ToString(d.AttributeName) == TTLAttribute &&
				(d.TimeToLiveStatus == types.TimeToLiveStatusEnabled || d.TimeToLiveStatus == types.TimeToLiveStatusEnabling) {
				return nil
			}
		}
		return storekit.Wrap(ctx, "dynamostore: ensure schema: UpdateTimeToLive", err)
	}
	return nil
}
