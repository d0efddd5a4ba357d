package storeurl_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/narvik-go/narvik/storeurl"
)

func TestParse(t *testing.T) {
	abs, _ := filepath.Abs("sessions.db")
	for _, c := range []struct {
		url  string
		kind storeurl.Kind
		desc string
	}{
		{"memory", storeurl.Memory, "in memory"},
		{"bolt:sessions.db", storeurl.Bolt, "bbolt file " + abs},
		{"bolt:/var/lib/app/s.db", storeurl.Bolt, "bbolt file /var/lib/app/s.db"},
		{"redis://127.0.0.1:6390/2", storeurl.Redis, "Redis 127.0.0.1:6390 db 2"},
		{"redis://127.0.0.1:6390/0?prefix=app1:&dial_timeout=2", storeurl.Redis, `Redis 127.0.0.1:6390 db 0 (key prefix "app1:")`},
		{"rediss://user:secret@cache.example.com:6380", storeurl.Redis, "Redis cache.example.com:6380 db 0 over TLS"},
		{"redis-cluster://127.0.0.1:7101,127.0.0.1:7102,127.0.0.1:7103", storeurl.RedisCluster, "Redis Cluster 127.0.0.1:7101,127.0.0.1:7102,127.0.0.1:7103"},
		{"redis-cluster://u:secret@10.0.0.1:7000,10.0.0.2:7000/?prefix=x:", storeurl.RedisCluster, `Redis Cluster 10.0.0.1:7000,10.0.0.2:7000 (key prefix "x:")`},
		{"rediss-cluster://10.0.0.1:7000", storeurl.RedisCluster, "Redis Cluster 10.0.0.1:7000 over TLS"},
		{"mongodb://127.0.0.1:27018/", storeurl.MongoDB, "MongoDB mongodb://127.0.0.1:27018/ (database narvik, collection sessions)"},
		{"mongodb://admin:secret@h1:27017,h2:27017/app?replicaSet=rs0&collection=logins", storeurl.MongoDB, "MongoDB mongodb://admin:xxxxx@h1:27017,h2:27017/app?replicaSet=rs0 (database app, collection logins)"},
		{"mongodb+srv://cluster0.example.net/", storeurl.MongoDB, "(database narvik, collection sessions)"},
		{"dynamodb://127.0.0.1:8010", storeurl.DynamoDB, "DynamoDB http://127.0.0.1:8010 (table narvik-sessions)"},
		{"dynamodb://127.0.0.1:8010?table=t1&region=eu-west-1", storeurl.DynamoDB, "DynamoDB http://127.0.0.1:8010 (table t1)"},
		{"dynamodb://aws", storeurl.DynamoDB, "DynamoDB on AWS, the default AWS configuration's region (table narvik-sessions)"},
		{"dynamodb://aws?region=eu-north-1&table=prod.sessions", storeurl.DynamoDB, "DynamoDB on AWS, region eu-north-1 (table prod.sessions)"},
		{"postgres://postgres@127.0.0.1:5433/narvik?sslmode=disable", storeurl.Postgres, "PostgreSQL 127.0.0.1:5433/narvik (table narvik_sessions)"},
		{"postgresql://app:secret@db.example.com/app?table=logins", storeurl.Postgres, "PostgreSQL db.example.com:5432/app (table logins)"},
		{"mysql://root@127.0.0.1:3307/narvik", storeurl.MySQL, "MySQL 127.0.0.1:3307/narvik (table narvik_sessions)"},
		{"mysql://app:s%40cret@db.example:3307/sessions", storeurl.MySQL, "MySQL db.example:3307/sessions"},
		{"mysql://root@localhost/narvik", storeurl.MySQL, "MySQL localhost:3306/narvik"},
		{"mysql://app:secret@db.example.com/app?table=logins&timeout=5s", storeurl.MySQL, "MySQL db.example.com:3306/app (table logins)"},
		{"sqlite:/var/lib/app/s.db", storeurl.SQLite, "SQLite file /var/lib/app/s.db (table narvik_sessions)"},
		{"sqlite:s.db?table=logins", storeurl.SQLite, "(table logins)"},
	} {
		s, err := storeurl.Parse(c.url)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.url, err)
			continue
		}
		if s.Kind != c.kind || !strings.Contains(s.Description(), c.desc) {
			t.Errorf("Parse(%q) = %s %q, want %s and a description with %q", c.url, s.Kind, s.Description(), c.kind, c.desc)
		}
		if strings.Contains(s.Description(), "secret") {
			t.Errorf("Parse(%q): the description %q shows the password", c.url, s.Description())
		}
	}
}

func TestParseRefusesBadURLs(t *testing.T) {
	for _, c := range []struct{ url, says string }{
		{"", "empty"},
		{"postgress://x", "unknown kind of store"},
		{"Memory", "unknown kind of store"},
		{"bolt", "unknown kind of store"},
		{"bolt:", "want bolt:PATH"},
		{"redis://127.0.0.1:6390/x", "invalid database number"},
		{"redis://127.0.0.1:6390?prefix=", "prefix= is empty"},
		{"redis://127.0.0.1:6390?bogus=1", "bogus"},
		{"redis-cluster://127.0.0.1", "want HOST:PORT"},
		{"redis-cluster://127.0.0.1:7101,:7102", "want HOST:PORT"},
		{"redis-cluster://127.0.0.1:7101/0", "no database number"},
		{"mongodb://", "at least 1 host"},
		{"mongodb://h:27017/a.b", "database name"},
		{"dynamodb://", "want dynamodb://HOST:PORT"},
		{"dynamodb://127.0.0.1", "has no port"},
		{"dynamodb://127.0.0.1:8010?tabel=x", `unknown parameter "tabel"`},
		{"dynamodb://user:pw@127.0.0.1:8010", "want dynamodb://HOST:PORT"},
		{"postgres://h:notaport/db", "cannot parse"},
		{"mysql://root@127.0.0.1:3307", "want mysql://USER:PASSWORD@HOST:PORT/DATABASE"},
		{"mysql://root@127.0.0.1:3307/db?timeout=soon", "invalid duration"},
		{"sqlite:", "want sqlite:PATH"},
		{"sqlite:s.db?tabel=x", `unknown parameter "tabel"`},
	} {
		_, err := storeurl.Parse(c.url)
		if !errors.Is(err, storeurl.ErrBadURL) {
			t.Errorf("Parse(%q) = %v, want an error wrapping ErrBadURL", c.url, err)
			continue
		}
		if !strings.Contains(err.Error(), c.says) {
			t.Errorf("Parse(%q) = %q, want it to say %q", c.url, err, c.says)
		}
	}
	_, err := storeurl.Parse("redis://u:topsecret@127.0.0.1:6390/x")
	if err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("an error shows the URL's password: %v", err)
	}
}
