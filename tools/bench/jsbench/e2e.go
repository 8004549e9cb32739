package main

import (
	"encoding/binary"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// endToEnd publishes at o.rate while an ordered push consumer in the same process reads; each message carries
// its intended send time, and its latency is arrival minus that time.
func endToEnd(nc *nats.Conn, js nats.JetStreamContext, o options) result {
	if o.size < 16 || o.rate <= 0 {
		fail("e2e needs -size >= 16 and -rate > 0")
	}
	createStream(js, o)
	base := time.Now()
	var mu sync.Mutex
	var e2e latencies
	received := 0
	var last time.Time
	sub, err := js.Subscribe(o.stream+".>", func(m *nats.Msg) {
		now := time.Now()
		due := base.Add(time.Duration(int64(binary.LittleEndian.Uint64(m.Data))))
		mu.Lock()
		defer mu.Unlock()
		if received >= o.messages {
			return
		}
		e2e.add(now.Sub(due))
		received++
		last = now
	}, nats.OrderedConsumer(), nats.DeliverNew(), nats.BindStream(o.stream))
	if err != nil {
		fail("subscribe: %v", err)
	}
	_ = sub.SetPendingLimits(-1, -1)
	p := newPublisher(nc, o)
	start, sent := pace(p, o, func(i int, due time.Time) []byte {
		data := make([]byte, o.size)
		binary.LittleEndian.PutUint64(data, uint64(due.Sub(base)))
		binary.LittleEndian.PutUint64(data[8:], uint64(i))
		return data
	})
	r := result{Kind: "e2e", Stream: o.stream, Subjects: o.subjects, Size: o.size, Replicas: o.replicas,
		Rate: o.rate, From: "intended_send", Planned: o.messages, Stopped: strconv.FormatBool(sent < o.messages)}
	if !p.wait(o.timeout) {
		r.FirstError = "timed out waiting for acks"
	}
	// Wait (at most 5 s) until everything that was sent has arrived.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		mu.Lock()
		got := received
		mu.Unlock()
		if got >= sent {
			break
		}
		if time.Now().After(deadline) {
			if r.FirstError == "" {
				r.FirstError = "not every message arrived"
			}
			break
		}
	}
	_ = sub.Unsubscribe()
	mu.Lock()
	defer mu.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	r.Messages, r.Failed = received, p.failed
	r.Bytes = int64(received) * int64(o.size)
	e2e.fill(&r.P50, &r.P99, &r.P999, &r.Max)
	p.acks.fill(&r.AckP50, &r.AckP99, &r.AckP999, &r.AckMax)
	r.finish(last.Sub(start))
	return r
}
