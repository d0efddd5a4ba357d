package main

import "fmt"

// peerRows are the libraries of bench/peers, in the order of the table.
var peerRows = []struct{ name, what string }{
	{"GET", "raw go-redis GET of the same bytes"},
	{"narvik", "narvik, JSON data"},
	{"narvik-DataMarshaler", "narvik, data encoding itself"},
	{"scs", "scs v2"},
	{"scs-hashed", "scs v2, HashTokenInStore"},
}

func writePeers(p func(string, ...any), rs *results) {
	if _, ok := rs.get("peers", "Peers/memory/narvik/serial"); !ok {
		return
	}
	p("## narvik and alexedwards/scs v2")
	p("")
	p("Loading the same session (bench/peers), each library with its defaults:")
	p("narvik's ValidateSession and scs's Load, bare and through each library's")
	p("middleware (narvikhttp's Wrap, scs's LoadAndSave) around a handler that")
	p("reads the session's data, from memory and from the same Redis. Ratios")
	p("divide by narvik with JSON data, the default, in the same mode.")
	p("")
	p("| where | library | serial | allocs | parallel | serial / narvik | parallel / narvik |")
	p("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
	for _, where := range []string{"memory", "redis", "http-memory", "http-redis"} {
		ref, ok1 := rs.get("peers", "Peers/"+where+"/narvik/serial")
		refP, ok2 := rs.get("peers", "Peers/"+where+"/narvik/parallel")
		if !ok1 || !ok2 {
			continue
		}
		for _, lib := range peerRows {
			s, ok1 := rs.get("peers", "Peers/"+where+"/"+lib.name+"/serial")
			par, ok2 := rs.get("peers", "Peers/"+where+"/"+lib.name+"/parallel")
			if !ok1 || !ok2 {
				continue
			}
			p("| %s | %s | %s | %s | %s | %s | %s |", where, lib.what, ns(s.ns), allocs(s.allocs), ns(par.ns),
				fmt.Sprintf("%.2f", s.ns/ref.ns), fmt.Sprintf("%.2f", par.ns/refP.ns))
		}
	}
	p("")
	var pairs []string
	for _, c := range []struct{ name, what string }{
		{"memory/scs-vs-narvik", "scs / narvik from memory"},
		{"http-memory/scs-vs-narvik", "scs / narvik through the middleware, memory"},
		{"redis/scs-vs-narvik", "scs / narvik from Redis"},
		{"http-redis/scs-vs-narvik", "scs / narvik through the middleware, Redis"},
		{"redis/narvik-vs-GET", "narvik (JSON data) / a raw GET of a 320-byte value"},
		{"redis/narvik-DataMarshaler-vs-GET", "narvik (data encoding itself) / the same GET"},
	} {
		s, ok1 := rs.get("peers", "Peers/paired/"+c.name+"/serial")
		par, ok2 := rs.get("peers", "Peers/paired/"+c.name+"/parallel")
		if ok1 && ok2 && s.ratio > 0 && par.ratio > 0 {
			pairs = append(pairs, fmt.Sprintf("| %s | %.2f | %.2f |", c.what, s.ratio, par.ratio))
		}
	}
	if len(pairs) > 0 {
		p("Paired: the two run in turns in one loop, so both see the same load")
		p("(conformance.BenchmarkPaired).")
		p("")
		p("| ratio | serial | parallel |")
		p("| --- | ---: | ---: |")
		for _, l := range pairs {
			p("%s", l)
		}
		p("")
	}
}
