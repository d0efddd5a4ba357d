// Package dynamostore is a narvik.SessionStore on Amazon DynamoDB, using
// github.com/aws/aws-sdk-go-v2.
//
//	store, err := dynamostore.New(client, "sessions") // client: *dynamodb.Client
//	err = store.EnsureTable(ctx)                      // once at start-up, or use IaC
//	auth, err := narvik.New[MyData](store)
//
// # What is stored
//
// One item per session, keyed by the session ID, which is the SHA-256 hex of
// the token: the token itself never reaches DynamoDB, so a table dump or
// backup lets no one sign in.
//
//	id         S  partition key; the session ID
//	userId     S  the owner; partition key of the userId-index GSI
//	expiresAt  N  expiry, Unix milliseconds (the authority for expiry)
//	createdAt  N  creation time, Unix milliseconds
//	data       B  the encoded session data; absent when empty
//	ttl        N  expiry in Unix SECONDS, rounded up: DynamoDB's TTL attribute
//
// expiresAt and ttl are separate because TTL works only in whole seconds and
// reads need milliseconds; rounding ttl up means TTL never removes an item
// before it expires. Session and user IDs must be 1 to 2048 bytes of valid
// UTF-8 (DynamoDB's key rules; SaveSession returns ErrInvalidKey otherwise).
// An item holds at most 400 KB, which bounds the session data.
//
// # The table, for infrastructure-as-code
//
// EnsureTable creates exactly this; if you create the table yourself, make it
// the same (EnsureTable then only checks it, with two reads):
//
//   - Billing: on demand (PAY_PER_REQUEST) or any provisioned capacity you size.
//   - Attribute definitions: id (S), userId (S).
//   - Key schema: id HASH. No sort key.
//   - Global secondary index "userId-index": userId HASH, projection ALL
//     (listing a user's sessions then needs no read of the base table).
//   - TTL: enabled on attribute "ttl".
//
// CloudFormation:
//
//	SessionsTable:
//	  Type: AWS::DynamoDB::Table
//	  Properties:
//	    TableName: sessions
//	    BillingMode: PAY_PER_REQUEST
//	    AttributeDefinitions:
//	      - {AttributeName: id, AttributeType: S}
//	      - {AttributeName: userId, AttributeType: S}
//	    KeySchema:
//	      - {AttributeName: id, KeyType: HASH}
//	    GlobalSecondaryIndexes:
//	      - IndexName: userId-index
//	        KeySchema:
//	          - {AttributeName: userId, KeyType: HASH}
//	        Projection: {ProjectionType: ALL}
//	    TimeToLiveSpecification: {AttributeName: ttl, Enabled: true}
//
// Terraform:
//
//	resource "aws_dynamodb_table" "sessions" {
//	  name         = "sessions"
//	  billing_mode = "PAY_PER_REQUEST"
//	  hash_key     = "id"
//	  attribute {
//	    name = "id"
//	    type = "S"
//	  }
//	  attribute {
//	    name = "userId"
//	    type = "S"
//	  }
//	  global_secondary_index {
//	    name            = "userId-index"
//	    hash_key        = "userId"
//	    projection_type = "ALL"
//	  }
//	  ttl {
//	    attribute_name = "ttl"
//	    enabled        = true
//	  }
//	}
//
// The store needs dynamodb:GetItem, PutItem, UpdateItem, DeleteItem,
// BatchWriteItem and Query on the table and its index; Scan with
// WithExpiredSweep; DescribeTable, CreateTable, DescribeTimeToLive and
// UpdateTimeToLive for EnsureTable.
//
// # Operations and consistency
//
//   - SaveSession: one PutItem conditioned on attribute_not_exists(id); an
//     existing ID gives narvik.ErrDuplicateSession and changes nothing.
//   - FetchSession: one GetItem with ConsistentRead, so it sees every write
//     that returned before it. Items whose expiresAt is at or before now are
//     reported as narvik.ErrSessionNotFound.
//   - UpdateSessionExpiry: one UpdateItem of expiresAt and ttl, conditioned
//     on the item existing and not being expired, so an extension racing a
//     delete never resurrects the session (narvik.ErrSessionNotFound).
//   - DeleteSession: one DeleteItem; idempotent.
//   - FetchSessionsForUser: Query on userId-index, following
//     LastEvaluatedKey (one request per 1 MB page, or per WithQueryPageSize
//     items), expired items filtered out.
//   - DeleteSessionsForUser: Query on the index for IDs, then BatchWriteItem
//     in chunks of 25, resending UnprocessedItems with exponential backoff
//     (50 ms doubling to 5 s, 10 attempts, never past the context).
//
// narvik validates a session with one GetItem, and adds one UpdateItem only
// when it extends the session (at most once per half session length).
//
// Times are judged by this machine's clock, in the conditions too: keep it
// synchronised (NTP), as DynamoDB's request signing requires anyway.
//
// # Sign out everywhere and the eventually consistent index
//
// DynamoDB reads a global secondary index eventually consistently; there is
// no strongly consistent read of a GSI. Usually within a second, but with no
// bound:
//
//   - FetchSessionsForUser may miss a session created a moment ago and still
//     list one deleted a moment ago. A listed session that was deleted can
//     never be validated: FetchSession reads the table itself, consistently.
//   - DeleteSessionsForUser may miss a session created a moment before the
//     call (its index entry not yet written). The store narrows that window
//     by querying again after deleting, until a query finds nothing (at most
//     three passes), but cannot close it, and nothing stops a session being
//     created concurrently. For "sign out everywhere" on a password change,
//     change the password first, so no new session can be made with the old
//     one, then call DeleteSessionsForUser; if you must be certain, call it
//     again a few seconds later. A missed session still ends at its expiry.
//
// # Expiry
//
// By default the store relies on DynamoDB's TTL: EnsureTable enables it on
// ttl, and DeleteAllExpiredSessions returns 0 (ExpiresNatively reports true,
// as narvik.NativeExpiry asks). DynamoDB deletes expired items only
// eventually, typically within a few days, and until then they are still
// returned by reads, queries and scans; every read of this store filters them
// out, so an expired session is never visible. TTL deletes cost nothing.
//
// With WithExpiredSweep(n), DeleteAllExpiredSessions scans the whole table
// in n parallel segments for items with expiresAt <= now, deletes them in
// batches and returns the count; EnsureTable then leaves TTL off so the count
// is exact. A scan reads (and bills) every item, so run it rarely.
//
// The store starts no goroutines except, inside one DeleteAllExpiredSessions
// call, one per segment; none outlives the call. It needs no Close.
//
// # Verified against
//
// The tests run against Amazon's DynamoDB Local 3.3.1 (Java 17, bound to
// 127.0.0.1; scripts/dynamodb.sh up): the conformance suite in both expiry
// modes; the table EnsureTable makes (key schema, index, billing, TTL) and
// that a second call only reads; listing and deleting with 7-item pages and
// with over 1 MB of one user's sessions; a server killed and restarted, and
// one frozen, under concurrent validation; the requests each operation sends;
// and that a raw Scan of the table finds no token. A fake client covers throttled batch writes. DynamoDB Local
// applies index writes synchronously, so the eventual consistency described
// above is documented from AWS's guarantees, not observed in the tests.
package dynamostore
