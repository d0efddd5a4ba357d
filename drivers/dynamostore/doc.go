// Package dynamostore is a narvik.SessionStore on Amazon DynamoDB, using
// github.com/aws/aws-sdk-go-v2.
//
//	store, err := dynamostore.New(client, "sessions") // client: *dynamodb.Client, or any dynamostore.API
//	err = store.EnsureSchema(ctx)                     // once at start-up, or use IaC
//	auth, err := narvik.New[MyData](store)
//
// New does no I/O and takes the client you configured (region, credentials,
// retries, endpoint) as the interface API: a *dynamodb.Client, a DAX
// client, or your own wrapper. This module needs only the DynamoDB service
// client; the AWS configuration chain (github.com/aws/aws-sdk-go-v2/config)
// is yours to import, or not. The caller owns the client; the store needs
// no Close.
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
// UTF-8, DynamoDB's key rules: any other ID would be refused by the server
// or, for invalid UTF-8, stored altered, so SaveSession refuses it first
// with an error wrapping narvik.ErrInvalidSessionID or
// narvik.ErrInvalidUserID. An item holds at most 400 KB, which bounds the
// session data; an item without data is about 120 bytes plus the user ID.
//
// # The table, for infrastructure-as-code
//
// EnsureSchema (narvik.SchemaEnsurer) creates exactly this; if you create
// the table yourself, make it the same (EnsureSchema then only checks it,
// with two reads):
//
//   - Billing: on demand (PAY_PER_REQUEST) or any provisioned capacity you size.
//   - Attribute definitions: id (S), userId (S).
//   - Key schema: id HASH. No sort key.
//   - Global secondary index "userId-index": userId HASH, projection ALL
//     (listing a user's sessions then needs no read of the base table).
//   - TTL: enabled on attribute "ttl" (left off with WithExpiredSweep).
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
// BatchWriteItem and Query on the table and its index; Scan for
// WithExpiredSweep and AllSessions; DescribeTable, CreateTable,
// DescribeTimeToLive and UpdateTimeToLive for EnsureSchema.
//
// # Operations, their cost and consistency
//
// Capacity below is for items up to 1 KB (a session without large data);
// on-demand tables bill the same numbers as request units. Every write also
// writes the userId-index (it projects ALL attributes), hence two write
// units. Reads of the table are strongly consistent (1 read unit per 4 KB);
// reads of the index are eventually consistent (DynamoDB has no other kind),
// half a unit per 4 KB.
//
//	SaveSession               1 PutItem, if attribute_not_exists(id)        2 WCU
//	FetchSession              1 GetItem, ConsistentRead                     1 RCU
//	UpdateSessionExpiry       1 UpdateItem, if the item exists and is live  2 WCU
//	DeleteSession             1 DeleteItem                                  2 WCU
//	FetchSessionsForUser      1 Query of the index per 1 MB page            0.5 RCU per 4 KB listed
//	DeleteSessionsForUser     2 Queries of the index, 1 BatchWriteItem per 25  2 WCU per session, and the reads
//	DeleteAllExpiredSessions  nothing by default (TTL deletes for free); with WithExpiredSweep,
//	                          a consistent Scan of the whole table          1 RCU per 4 KB of table
//	                          and 1 conditional DeleteItem per expired item 2 WCU per item
//	AllSessions               a consistent Scan of the whole table          1 RCU per 4 KB of table
//	EnsureSchema              DescribeTable + DescribeTimeToLive when the table is ready
//
// narvik validates a session with one GetItem, and adds one UpdateItem only
// when it extends the session (at most once per half session length).
//
//   - SaveSession is put-if-absent: an existing ID gives
//     narvik.ErrDuplicateSession and changes nothing.
//   - FetchSession sees every write that returned before it. Items whose
//     expiresAt is at or before now are reported as narvik.ErrSessionNotFound.
//   - UpdateSessionExpiry is conditioned on the item existing and not being
//     expired, so an extension racing a delete never resurrects the session
//     (narvik.ErrSessionNotFound).
//   - Queries and scans follow LastEvaluatedKey to the last page (one
//     request per 1 MB page, or per WithQueryPageSize items) and filter
//     expired items on the server (which saves bandwidth, not capacity) and
//     again on this machine.
//   - Batch deletes resend UnprocessedItems with exponential backoff (50 ms
//     doubling to 5 s, 10 attempts, never past the context).
//   - Items the store did not write (a missing attribute, a wrong type) are
//     errors wrapping narvik.ErrBadRecord, never sessions.
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
// By default the store relies on DynamoDB's TTL: EnsureSchema enables it on
// ttl, and DeleteAllExpiredSessions returns 0 (ExpiresNatively reports true,
// as narvik.NativeExpiry asks). DynamoDB deletes expired items only
// eventually, typically within a few days, and until then they are still
// returned by reads, queries and scans; every read of this store filters them
// out, so an expired session is never visible. TTL deletes cost nothing.
//
// With WithExpiredSweep(n), DeleteAllExpiredSessions scans the whole table
// in n parallel segments for items with expiresAt <= now and deletes each
// with a DeleteItem conditioned on it still being there and expired, 8 at a
// time per segment; EnsureSchema then leaves TTL off. It returns exactly how
// many items this call deleted, even while sweeps on other machines run at
// the same time: an item another sweep deleted first fails the condition
// and is counted there only. (BatchWriteItem, which earlier versions used,
// cannot say whether an item still existed, so concurrent sweeps each
// counted every item.) The write units are the same as a batch delete's;
// the requests are one per item instead of one per 25, which the 8 deletes
// in flight per segment make up for in time. A scan reads (and bills) every
// item, so run it rarely.
//
// # Walking every session
//
// AllSessions (narvik.Enumerator, for migrations and operator tools) reads
// the table with a strongly consistent paginated Scan and yields each live
// session once, streaming: it holds one page at a time. WithWalkSegments(n)
// reads n segments in parallel instead, one goroutine and at most one page
// each, all ended when the walk ends.
//
// # Goroutines
//
// The store starts goroutines only inside a call, and none outlives it:
// with WithExpiredSweep(n), DeleteAllExpiredSessions runs one per segment
// (when n > 1) and up to 8 deletes per segment; AllSessions with
// WithWalkSegments(n) runs n + 1 until the walk ends.
//
// # Clients: DAX, wrappers
//
// A DAX client (github.com/aws/aws-dax-go-v2) satisfies API. DAX serves
// item operations only: create or check the table with EnsureSchema on a
// *dynamodb.Client, or with your own tools. DAX passes the strongly
// consistent reads of FetchSession and of scans through to DynamoDB
// uncached, so it does not speed up validation; it caches the index queries
// of FetchSessionsForUser, which can then be stale for DAX's query-cache
// TTL (5 minutes by default) after a sign-out, though a session listed
// after its deletion still never validates.
//
// # Verified against
//
// Amazon's DynamoDB Local 3.3.1; docs/testing.md lists which test holds
// which promise. Local applies index writes synchronously, so the index's
// eventual consistency above is AWS's guarantee, not observed in the tests;
// DAX is not tested.
package dynamostore
