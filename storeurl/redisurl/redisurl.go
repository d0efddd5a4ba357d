// Package redisurl opens Redis and Redis Cluster store URLs for a
// urlopen.Set, with drivers/redisstore over go-redis:
//
//	redis://[USER:PASS@]HOST:PORT[/DB]       a Redis server; rediss:// for TLS
//	redis-cluster://[USER:PASS@]H1:P1,H2:P2  a Redis Cluster, any of its nodes; rediss-cluster:// for TLS
//
// prefix= sets the key prefix (default "narvik:"); other parameters are
// go-redis options (dial_timeout, ...).
package redisurl

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/redisstore"
	"github.com/narvik-go/narvik/storeurl/internal/urlparse"
	"github.com/narvik-go/narvik/storeurl/urlopen"
)

// Opener returns the opener of redis://, rediss://, redis-cluster:// and
// rediss-cluster:// URLs.
func Opener() urlopen.Opener { return opener{} }

type opener struct{}

func (opener) Kinds() []urlopen.Kind { return []urlopen.Kind{urlopen.Redis, urlopen.RedisCluster} }

func (opener) Forms() string {
	return "redis://HOST:PORT[/DB], rediss://..., redis-cluster://H1:P1,H2:P2, rediss-cluster://..."
}

func (opener) Parse(raw string) (urlopen.Parsed, error) {
	prefix, rest, err := urlparse.TakeParam(raw, "prefix")
	if err != nil {
		return urlopen.Parsed{}, err
	}
	if strings.HasPrefix(rest, "redis-cluster:") || strings.HasPrefix(rest, "rediss-cluster:") {
		return parseCluster(rest, prefix)
	}
	opts, err := redis.ParseURL(rest)
	if err != nil {
		return urlopen.Parsed{}, err
	}
	desc := fmt.Sprintf("Redis %s db %d", opts.Addr, opts.DB)
	if opts.TLSConfig != nil {
		desc += " over TLS"
	}
	return urlopen.Parsed{
		Description: desc + prefixNote(prefix),
		Open: func(ctx context.Context) (narvik.SessionStore, func() error, error) {
			c := redis.NewClient(opts)
			return open(c, prefix, func() error { return c.Ping(ctx).Err() })
		},
	}, nil
}

func prefixNote(prefix string) string {
	if prefix == "" {
		return ""
	}
	return fmt.Sprintf(" (key prefix %q)", prefix)
}

// parseCluster turns redis-cluster://[USER:PASS@]H1:P1,H2:P2[?opts] into
// the form go-redis parses, redis://[USER:PASS@]H1:P1?addr=H2:P2&opts.
func parseCluster(raw, prefix string) (urlopen.Parsed, error) {
	scheme, rest, _ := strings.Cut(raw, "://")
	hosts, query, _ := strings.Cut(rest, "?")
	hosts = strings.TrimSuffix(hosts, "/")
	user := ""
	if at := strings.LastIndex(hosts, "@"); at >= 0 {
		user, hosts = hosts[:at+1], hosts[at+1:]
	}
	if strings.Contains(hosts, "/") {
		return urlopen.Parsed{}, fmt.Errorf("a Redis Cluster has no database number: want %s://H1:P1,H2:P2", scheme)
	}
	addrs := strings.Split(hosts, ",")
	for _, a := range addrs {
		if h, p, err := net.SplitHostPort(a); err != nil || h == "" || p == "" {
			return urlopen.Parsed{}, fmt.Errorf("node %q: want HOST:PORT, nodes separated by commas", a)
		}
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return urlopen.Parsed{}, err
	}
	for _, a := range addrs[1:] {
		q.Add("addr", a)
	}
	u := strings.TrimSuffix(scheme, "-cluster") + "://" + user + addrs[0]
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	opts, err := redis.ParseClusterURL(u)
	if err != nil {
		return urlopen.Parsed{}, err
	}
	desc := "Redis Cluster " + strings.Join(opts.Addrs, ",")
	if opts.TLSConfig != nil {
		desc += " over TLS"
	}
	return urlopen.Parsed{
		Description: desc + prefixNote(prefix),
		Open: func(ctx context.Context) (narvik.SessionStore, func() error, error) {
			c := redis.NewClusterClient(opts)
			// Every primary must answer: a session may live on any of them.
			return open(c, prefix, func() error {
				return c.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error { return n.Ping(ctx).Err() })
			})
		},
	}, nil
}

// open makes the store over client and pings the server; on failure it
// closes the client.
func open(client redis.UniversalClient, prefix string, ping func() error) (narvik.SessionStore, func() error, error) {
	var opts []redisstore.Option
	if prefix != "" {
		opts = append(opts, redisstore.WithKeyPrefix(prefix))
	}
	st, err := redisstore.New(client, opts...)
	if err != nil {
		return nil, nil, urlopen.Refused(errors.Join(err, client.Close()))
	}
	if err := ping(); err != nil {
		return nil, nil, errors.Join(err, client.Close())
	}
	return st, client.Close, nil
}
