// jsbench: the NATS JetStream side of Millrace's comparison benchmark (tools/bench/compare.py).
//
// It does the same work as `millrace bench produce | consume | e2e` against a JetStream stream with file
// storage and prints one JSON object with the same fields (mb_per_s, msgs_per_s, p50_ms, p99_ms, p999_ms,
// max_ms, ...). Latencies are measured like Millrace's: from the send call, or with -rate from each
// message's intended send time (start + i/rate), so a stall is not hidden.
//
// Built offline with Debian's golang and golang-github-nats-io-go-nats-dev (GOPATH mode, no module proxy):
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go build -o jsbench .
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go"
)

type options struct {
	url        string
	mode       string
	stream     string
	subjects   int
	messages   int
	size       int
	rate       float64
	replicas   int
	maxPending int
	maxSeconds float64
	paceStep   time.Duration
	timeout    time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "nats://127.0.0.1:4222", "server URL(s), comma separated")
	flag.StringVar(&o.mode, "mode", "produce", "produce, consume or e2e")
	flag.StringVar(&o.stream, "stream", "BENCH", "stream name; its subjects are <stream>.0 .. <stream>.<subjects-1>")
	flag.IntVar(&o.subjects, "subjects", 1, "subjects messages are spread over (round robin), like partitions")
	flag.IntVar(&o.messages, "messages", 100000, "messages to send (produce, e2e) or read (consume)")
	flag.IntVar(&o.size, "size", 1024, "message size in bytes (at least 16 for e2e)")
	flag.Float64Var(&o.rate, "rate", 0, "messages per second (0: as fast as possible; e2e needs it)")
	flag.IntVar(&o.replicas, "replicas", 1, "stream replicas when produce/e2e create the stream")
	flag.IntVar(&o.maxPending, "max-pending", 4096, "unacknowledged publishes in flight")
	flag.Float64Var(&o.maxSeconds, "max-seconds", 0, "stop sending after this many seconds (0: no limit)")
	flag.DurationVar(&o.paceStep, "pace-step", 250*time.Microsecond,
		"with -rate: when ahead, wake this long after the next message is due and send all due by then (as millrace bench)")
	flag.DurationVar(&o.timeout, "timeout", 120*time.Second, "give up waiting for acks or messages after this long")
	flag.Parse()

	nc, err := nats.Connect(o.url, nats.Timeout(10*time.Second))
	if err != nil {
		fail("connect: %v", err)
	}
	defer nc.Close()
	js, err := nc.JetStream()
	if err != nil {
		fail("jetstream: %v", err)
	}
	var r result
	switch o.mode {
	case "produce":
		r = produce(nc, js, o)
	case "consume":
		r = consume(js, o)
	case "e2e":
		r = endToEnd(nc, js, o)
	default:
		fail("unknown -mode %q", o.mode)
	}
	fmt.Println(r.json())
	if r.FirstError != "" {
		os.Exit(1)
	}
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "jsbench: error: "+format+"\n", args...)
	os.Exit(1)
}

// createStream (re)creates the stream with file storage. A cluster that has just started may have no
// JetStream leader yet: retry for up to 30 s.
func createStream(js nats.JetStreamContext, o options) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		_ = js.DeleteStream(o.stream)
		_, err := js.AddStream(&nats.StreamConfig{
			Name:     o.stream,
			Subjects: []string{o.stream + ".>"},
			Storage:  nats.FileStorage,
			Replicas: o.replicas,
		})
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			fail("add stream: %v", err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func subjectNames(o options) []string {
	names := make([]string, o.subjects)
	for i := range names {
		names[i] = fmt.Sprintf("%s.%d", o.stream, i)
	}
	return names
}
