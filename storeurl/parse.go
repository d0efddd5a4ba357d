package storeurl

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/narvik-go/narvik/internal/sqlstore"
)

// Kind names a form of store URL, and so a driver.
type Kind string

// The kinds of store URL.
const (
	Memory       Kind = "memory"
	Bolt         Kind = "bolt"
	Redis        Kind = "redis"
	RedisCluster Kind = "redis-cluster"
	MongoDB      Kind = "mongodb"
	DynamoDB     Kind = "dynamodb"
	Postgres     Kind = "postgres"
	MySQL        Kind = "mysql"
	SQLite       Kind = "sqlite"
)

// Forms is the list of URL forms, for usage texts and error messages.
const Forms = "memory, bolt:PATH, redis://HOST:PORT[/DB], rediss://..., redis-cluster://H1:P1,H2:P2, rediss-cluster://..., mongodb://..., mongodb+srv://..., dynamodb://HOST:PORT, dynamodb://aws, postgres://USER@HOST:PORT/DB, mysql://USER:PASS@HOST:PORT/DB, sqlite:PATH"

// Defaults of the parameters that say where the sessions live.
const (
	DefaultMongoDatabase   = "narvik"
	DefaultMongoCollection = "sessions"
	DefaultDynamoTable     = "narvik-sessions"
	// DefaultDynamoRegion is the region of a dynamodb://HOST:PORT endpoint
	// unless region= says otherwise; DynamoDB Local accepts any.
	DefaultDynamoRegion = "us-east-1"
)

// Spec is a parsed store URL: what Open would open, checked without any
// I/O.
type Spec struct {
	// Kind is the form of the URL.
	Kind Kind

	desc string

	path string // bolt

	redis   *redis.Options
	cluster *redis.ClusterOptions
	prefix  string // redis key prefix; "" for the driver's default

	mongo      *options.ClientOptions // nil for mongodb+srv://, applied by Open
	mongoURI   string
	database   string
	collection string

	endpoint string // dynamodb: "" for AWS
	region   string // dynamodb: "" for the AWS configuration's
	table    string // dynamodb, and the SQL kinds ("" for the driver's default)

	postgres *pgxpool.Config
	mysql    *mysql.Config
}

// Description says which store the URL names, for banners and logs,
// without any password it holds.
func (s *Spec) Description() string { return s.desc }

// String is Description.
func (s *Spec) String() string { return s.desc }

func bad(raw, format string, args ...any) error {
	return fmt.Errorf("%w %s: %s", ErrBadURL, redact(raw), fmt.Sprintf(format, args...))
}

// Parse checks a store URL (see the package documentation for the forms)
// and returns what it names. It does no I/O. Errors wrap ErrBadURL and say
// what is wrong.
func Parse(raw string) (*Spec, error) {
	scheme, _, ok := strings.Cut(raw, ":")
	if !ok {
		scheme = ""
	}
	switch {
	case raw == "memory":
		return &Spec{Kind: Memory, desc: "in memory (sessions end with the process)"}, nil
	case scheme == "bolt":
		return parseBolt(raw)
	case scheme == "redis" || scheme == "rediss":
		return parseRedis(raw)
	case scheme == "redis-cluster" || scheme == "rediss-cluster":
		return parseCluster(raw)
	case scheme == "mongodb" || scheme == "mongodb+srv":
		return parseMongo(raw)
	case scheme == "dynamodb":
		return parseDynamo(raw)
	case scheme == "postgres" || scheme == "postgresql":
		return parsePostgres(raw)
	case scheme == "mysql":
		return parseMySQL(raw)
	case scheme == "sqlite":
		return parseSQLite(raw)
	case raw == "":
		return nil, fmt.Errorf("%w: empty; use one of %s", ErrBadURL, Forms)
	}
	return nil, bad(raw, "unknown kind of store; use one of %s", Forms)
}

func parseBolt(raw string) (*Spec, error) {
	path := strings.TrimPrefix(raw, "bolt:")
	if path == "" || strings.HasPrefix(path, "//") {
		return nil, bad(raw, "want bolt:PATH, the path of a bbolt file, such as bolt:sessions.db or bolt:/var/lib/app/sessions.db")
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return &Spec{Kind: Bolt, path: path, desc: "bbolt file " + path}, nil
}

// takeParam removes parameter name from the query of raw and returns its
// value and what remains of raw.
func takeParam(raw, name string) (value, rest string, err error) {
	base, query, ok := strings.Cut(raw, "?")
	if !ok {
		return "", raw, nil
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", "", err
	}
	value = q.Get(name)
	if q.Has(name) && value == "" {
		return "", "", fmt.Errorf("%s= is empty", name)
	}
	q.Del(name)
	if len(q) == 0 {
		return value, base, nil
	}
	return value, base + "?" + q.Encode(), nil
}

func parseRedis(raw string) (*Spec, error) {
	prefix, rest, err := takeParam(raw, "prefix")
	if err != nil {
		return nil, bad(raw, "%v", err)
	}
	opts, err := redis.ParseURL(rest)
	if err != nil {
		return nil, bad(raw, "%v", err)
	}
	desc := fmt.Sprintf("Redis %s db %d", opts.Addr, opts.DB)
	if opts.TLSConfig != nil {
		desc = fmt.Sprintf("Redis %s db %d over TLS", opts.Addr, opts.DB)
	}
	return &Spec{Kind: Redis, redis: opts, prefix: prefix, desc: desc + prefixNote(prefix)}, nil
}

func prefixNote(prefix string) string {
	if prefix == "" {
		return ""
	}
	return fmt.Sprintf(" (key prefix %q)", prefix)
}

// parseCluster turns redis-cluster://[USER:PASS@]H1:P1,H2:P2[?opts] into
// the form go-redis parses, redis://[USER:PASS@]H1:P1?addr=H2:P2&opts.
func parseCluster(raw string) (*Spec, error) {
	prefix, rest, err := takeParam(raw, "prefix")
	if err != nil {
		return nil, bad(raw, "%v", err)
	}
	scheme, rest, _ := strings.Cut(rest, "://")
	hosts, query, _ := strings.Cut(rest, "?")
	hosts = strings.TrimSuffix(hosts, "/")
	user := ""
	if at := strings.LastIndex(hosts, "@"); at >= 0 {
		user, hosts = hosts[:at+1], hosts[at+1:]
	}
	if strings.Contains(hosts, "/") {
		return nil, bad(raw, "a Redis Cluster has no database number: want %s://H1:P1,H2:P2", scheme)
	}
	addrs := strings.Split(hosts, ",")
	for _, a := range addrs {
		if h, p, err := net.SplitHostPort(a); err != nil || h == "" || p == "" {
			return nil, bad(raw, "node %q: want HOST:PORT, nodes separated by commas", a)
		}
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, bad(raw, "%v", err)
	}
	for _, a := range addrs[1:] {
		q.Add("addr", a)
	}
	goScheme := strings.TrimSuffix(scheme, "-cluster")
	u := goScheme + "://" + user + addrs[0]
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	opts, err := redis.ParseClusterURL(u)
	if err != nil {
		return nil, bad(raw, "%v", err)
	}
	desc := "Redis Cluster " + strings.Join(opts.Addrs, ",")
	if opts.TLSConfig != nil {
		desc += " over TLS"
	}
	return &Spec{Kind: RedisCluster, cluster: opts, prefix: prefix, desc: desc + prefixNote(prefix)}, nil
}

func parseMongo(raw string) (*Spec, error) {
	coll, rest, err := takeParam(raw, "collection")
	if err != nil {
		return nil, bad(raw, "%v", err)
	}
	if coll == "" {
		coll = DefaultMongoCollection
	}
	// A mongodb+srv:// URI is resolved in DNS when it is applied, which is
	// I/O: Open applies it.
	var opts *options.ClientOptions
	if !strings.HasPrefix(rest, "mongodb+srv://") {
		opts = options.Client().ApplyURI(rest)
		if err := opts.Validate(); err != nil {
			return nil, bad(raw, "%v", err)
		}
	}
	// The database is the URI's path, as MongoDB's own tools read it.
	db := DefaultMongoDatabase
	_, afterScheme, _ := strings.Cut(rest, "://")
	base, _, _ := strings.Cut(afterScheme, "?")
	if _, path, ok := strings.Cut(base, "/"); ok && path != "" {
		db = path
	}
	if strings.ContainsAny(db, "/\\. \"$") {
		return nil, bad(raw, "database name %q: MongoDB refuses /\\. \"$ in database names", db)
	}
	return &Spec{
		Kind: MongoDB, mongo: opts, mongoURI: rest, database: db, collection: coll,
		desc: fmt.Sprintf("MongoDB %s (database %s, collection %s)", redact(rest), db, coll),
	}, nil
}

func parseDynamo(raw string) (*Spec, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, bad(raw, "%v", err)
	}
	q := u.Query()
	for k := range q {
		if k != "table" && k != "region" {
			return nil, bad(raw, "unknown parameter %q: dynamodb:// takes table= and region=", k)
		}
	}
	s := &Spec{Kind: DynamoDB, table: DefaultDynamoTable, region: q.Get("region")}
	if t := q.Get("table"); t != "" {
		s.table = t
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.Host == "" {
		return nil, bad(raw, "want dynamodb://HOST:PORT (an endpoint such as DynamoDB Local) or dynamodb://aws")
	}
	if u.Host == "aws" {
		where := "the default AWS configuration's region"
		if s.region != "" {
			where = "region " + s.region
		}
		s.desc = fmt.Sprintf("DynamoDB on AWS, %s (table %s)", where, s.table)
		return s, nil
	}
	if u.Port() == "" {
		return nil, bad(raw, "endpoint %q has no port: want dynamodb://HOST:PORT, such as dynamodb://127.0.0.1:8000", u.Host)
	}
	if s.region == "" {
		s.region = DefaultDynamoRegion
	}
	s.endpoint = "http://" + u.Host
	s.desc = fmt.Sprintf("DynamoDB %s (table %s)", s.endpoint, s.table)
	return s, nil
}

// sqlTable is the note on the table of a SQL store's description.
func sqlTable(table string) string {
	if table == "" {
		table = sqlstore.DefaultTable
	}
	return " (table " + table + ")"
}

func parsePostgres(raw string) (*Spec, error) {
	table, rest, err := takeParam(raw, "table")
	if err != nil {
		return nil, bad(raw, "%v", err)
	}
	// ParseConfig reads the environment and a password file, never the
	// network.
	cfg, err := pgxpool.ParseConfig(rest)
	if err != nil {
		return nil, bad(raw, "%v", err)
	}
	c := cfg.ConnConfig
	where := net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port))) + "/" + c.Database
	return &Spec{Kind: Postgres, postgres: cfg, table: table, desc: "PostgreSQL " + where + sqlTable(table)}, nil
}

// parseMySQL turns mysql://USER:PASS@HOST[:PORT]/DB[?params] into the
// configuration of go-sql-driver/mysql, whose own parser checks the
// parameters.
func parseMySQL(raw string) (*Spec, error) {
	table, rest, err := takeParam(raw, "table")
	if err != nil {
		return nil, bad(raw, "%v", err)
	}
	u, err := url.Parse(rest)
	if err != nil {
		return nil, bad(raw, "%v", err)
	}
	db := strings.TrimPrefix(u.Path, "/")
	if u.Host == "" || db == "" || strings.Contains(db, "/") {
		return nil, bad(raw, "want mysql://USER:PASSWORD@HOST:PORT/DATABASE")
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "3306")
	}
	// The parameters go through the driver's own parser; the user and
	// password are set afterwards, so that no character of theirs can be
	// taken for the DSN's syntax.
	dsn := "/" + db
	if u.RawQuery != "" {
		dsn += "?" + u.RawQuery
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, bad(raw, "%v", err)
	}
	cfg.Net, cfg.Addr = "tcp", addr
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	return &Spec{Kind: MySQL, mysql: cfg, table: table, desc: "MySQL " + addr + "/" + db + sqlTable(table)}, nil
}

func parseSQLite(raw string) (*Spec, error) {
	rest := strings.TrimPrefix(raw, "sqlite:")
	path, query, _ := strings.Cut(rest, "?")
	table := ""
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil {
			return nil, bad(raw, "%v", err)
		}
		for k := range q {
			if k != "table" {
				return nil, bad(raw, "unknown parameter %q: sqlite: takes table=", k)
			}
		}
		table = q.Get("table")
	}
	if path == "" || strings.HasPrefix(path, "//") {
		return nil, bad(raw, "want sqlite:PATH, the path of an SQLite file, such as sqlite:sessions.db")
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return &Spec{Kind: SQLite, path: path, table: table, desc: "SQLite file " + path + sqlTable(table)}, nil
}

// redact hides the password of a URL that holds one.
func redact(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	at := strings.LastIndex(strings.SplitN(rest, "/", 2)[0], "@")
	if at < 0 {
		return raw
	}
	user, _, hasPass := strings.Cut(rest[:at], ":")
	if !hasPass {
		return raw
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}
