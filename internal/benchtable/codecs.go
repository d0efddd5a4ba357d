package main

import "fmt"

// codec is what the comparison says of one candidate beyond its numbers.
type codec struct {
	name, safety, evolution, weight string
}

// codecs are the candidates of bench/codecs, in the order of the table.
var codecs = []codec{
	{"encoding/json", "no length fields to lie; nesting limited; fuzzed by Go and here", "by field name: unknown fields skipped, missing ones zero", "standard library"},
	{"encoding/json+jsonv2", "as encoding/json", "as encoding/json", "standard library, behind GOEXPERIMENT=jsonv2 in go1.26"},
	{"encoding/json/v2", "as encoding/json", "as encoding/json", "standard library, behind GOEXPERIMENT=jsonv2 in go1.26"},
	{"cborcodec", "checked well-formed before decoding; nesting <= 32, <= 131,072 elements; length bombs refused; fuzzed here and upstream", "by field name (json tags), as JSON", "fxamacker/cbor + x448/float16 (about 10,000 lines), in codecs/cborcodec, opt-in"},
	{"msgpack", "**five stored bytes kill the process** (an array of 2^32-1 elements: a 64 GiB allocation, fatal); times lose their zone", "by field name", "vmihailenco/msgpack + tagparser"},
	{"DataMarshaler", "the type's own code: narvik hands it untrusted bytes (conformance.BenchBinaryData is fuzzed)", "the type's own format; tagged fields that skip unknown tags keep both directions", "none"},
}

func writeCodecs(p func(string, ...any), rs *results, instr map[string]int) {
	json, ok := rs.get("codecs", "Codec/encoding/json/Unmarshal")
	if !ok {
		return
	}
	p("## Session data codecs")
	p("")
	p("The benchmarks' session data (conformance.BenchData: user agent, IP, three")
	p("flags, two timestamps) through each candidate (bench/codecs). Decoding is")
	p("what every validation pays; it is measured over 1,024 sessions of")
	p("different users, so a decoder that caches strings gains only what it would")
	p("in production. encoding/json/v2 and encoding/json on its implementation")
	p("need GOEXPERIMENT=jsonv2 (make bench runs them so).")
	p("")
	p("The instructions of one decode are counted by callgrind")
	p("(scripts/callgrind-codecs.sh): the comparison a busy machine cannot blur.")
	p("")
	p("| codec | decode | instructions | allocs | decode / json | encode | allocs | size | untrusted stored bytes | adding or removing a field | dependency |")
	p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |")
	for _, c := range codecs {
		dec, ok1 := rs.get("codecs", "Codec/"+c.name+"/Unmarshal")
		enc, ok2 := rs.get("codecs", "Codec/"+c.name+"/Marshal")
		if !ok1 || !ok2 {
			continue
		}
		count := ""
		if n := instr["codec "+c.name]; n > 0 {
			count = fmt.Sprint(n)
		}
		p("| %s | %s | %s | %s | %.2f | %s | %s | %.0f B | %s | %s | %s |", c.name, ns(dec.ns), count, allocs(dec.allocs), dec.ns/json.ns,
			ns(enc.ns), allocs(enc.allocs), enc.bytes, c.safety, c.evolution, c.weight)
	}
	p("")
	p("%s", codecChoice)
	if j, b, c := instr["codec encoding/json"], instr["codec DataMarshaler"], instr["codec cborcodec"]; j > 0 && b > 0 && c > 0 {
		p("Counted in instructions, a type's own methods decode with %.0fx fewer than", float64(j)/float64(b))
		p("encoding/json and cborcodec with %.1fx fewer.", float64(j)/float64(c))
		p("")
	}
}

// codecChoice is the decision the numbers led to.
const codecChoice = `**The default.** A type that implements narvik.DataMarshaler and
narvik.DataUnmarshaler is encoded by its own methods, without an option:
the fastest candidate by far and no dependency, with the type in charge of
its format. Every other type stays on encoding/json: it is the only
candidate without a dependency that keeps what types already rely on
(MarshalJSON methods, numbers in an any as float64, json tags), and the
standard library's jsonv2 work brings it down to two allocations on its
own. CBOR is the fastest safe codec that needs no code, and earns a module of
its own (codecs/cborcodec, narvik.WithCodec(cborcodec.New())) rather than a
place in narvik's go.mod, which still requires bbolt alone. MessagePack is
out: a stored value of five bytes ends the process.

**Existing sessions.** Both fast paths read the JSON that narvik stored
before them: what a type's methods write starts with the byte 0x01 and what
cborcodec writes with the CBOR tag d9 d9 f7, neither of which starts JSON,
and anything else is decoded as JSON (TestSelfEncodingReadsEarlierJSON,
cborcodec's TestReadsJSONSessions). The way back needs care: a narvik whose
type lost its methods, or that dropped cborcodec, refuses those values with
ErrBadRecord, so switch every instance before relying on the new format.
`
