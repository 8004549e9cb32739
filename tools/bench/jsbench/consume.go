package main

import (
	"time"

	"github.com/nats-io/nats.go"
)

// consume reads o.messages messages of the stream from the beginning with an ordered push consumer (no acks,
// flow control), the fastest way nats.go offers to read a stream in order.
func consume(js nats.JetStreamContext, o options) result {
	r := result{Kind: "consume", Stream: o.stream, Subjects: o.subjects, Size: o.size, From: "none"}
	done := make(chan struct{})
	var last time.Time
	count := 0
	start := time.Now()
	sub, err := js.Subscribe(o.stream+".>", func(m *nats.Msg) {
		if count >= o.messages {
			return
		}
		count++
		r.Bytes += int64(len(m.Data))
		if count == o.messages {
			last = time.Now()
			close(done)
		}
	}, nats.OrderedConsumer(), nats.DeliverAll(), nats.BindStream(o.stream))
	if err != nil {
		fail("subscribe: %v", err)
	}
	_ = sub.SetPendingLimits(-1, -1)
	select {
	case <-done:
	case <-time.After(o.timeout):
		r.FirstError = "timed out"
		last = time.Now()
	}
	_ = sub.Unsubscribe()
	r.Messages = count
	r.finish(last.Sub(start))
	return r
}
