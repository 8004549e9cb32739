package main

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// publisher sends JetStream publishes as core NATS messages with a per-message reply subject and matches
// the PubAcks itself, so each ack's arrival time is known (js.PublishAsync hides it). At most maxPending
// publishes are unacknowledged.
type publisher struct {
	nc       *nats.Conn
	prefix   string
	window   chan struct{}
	mu       sync.Mutex
	sentAt   []time.Time // measured-from time per message index
	acks     latencies
	acked    int
	failed   int
	firstErr string
	lastAck  time.Time
	done     chan struct{}
	expected int // -1 until the sender knows how many it sent
}

func newPublisher(nc *nats.Conn, o options) *publisher {
	p := &publisher{
		nc:       nc,
		prefix:   nats.NewInbox() + ".",
		window:   make(chan struct{}, o.maxPending),
		sentAt:   make([]time.Time, o.messages),
		done:     make(chan struct{}),
		expected: -1,
	}
	sub, err := nc.Subscribe(p.prefix+"*", p.onAck)
	if err != nil {
		fail("subscribe acks: %v", err)
	}
	_ = sub.SetPendingLimits(-1, -1)
	return p
}

func (p *publisher) onAck(m *nats.Msg) {
	now := time.Now()
	index, err := strconv.Atoi(m.Subject[strings.LastIndexByte(m.Subject, '.')+1:])
	<-p.window
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil || bytes.Contains(m.Data, []byte(`"error"`)) {
		p.failed++
		if p.firstErr == "" {
			p.firstErr = string(m.Data)
		}
	} else {
		p.acks.add(now.Sub(p.sentAt[index]))
		p.acked++
	}
	p.lastAck = now
	if p.acked+p.failed == p.expected {
		close(p.done)
	}
}

// sentAll tells how many messages were sent in total; done closes once that many are acknowledged.
func (p *publisher) sentAll(count int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expected = count
	if p.acked+p.failed == count {
		close(p.done)
	}
}

// send publishes message `index`, waiting for room in the window; measuredFrom is the time its latency
// counts from.
func (p *publisher) send(subject string, index int, data []byte, measuredFrom time.Time) error {
	p.window <- struct{}{}
	p.mu.Lock()
	p.sentAt[index] = measuredFrom
	p.mu.Unlock()
	return p.nc.PublishMsg(&nats.Msg{Subject: subject, Reply: p.prefix + strconv.Itoa(index), Data: data})
}

func (p *publisher) wait(timeout time.Duration) bool {
	_ = p.nc.Flush()
	select {
	case <-p.done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// pace sends o.messages messages: unpaced, or message i no earlier than start + i/rate (when ahead, it sleeps
// until o.paceStep after message i is due, as millrace bench does); with -max-seconds it stops early. Returns
// the start time and how many it sent.
func pace(p *publisher, o options, payload func(i int, due time.Time) []byte) (time.Time, int) {
	subjects := subjectNames(o)
	start := time.Now()
	deadline := start.Add(time.Duration(o.maxSeconds * 1e9))
	sent := 0
	for i := 0; i < o.messages; i++ {
		if o.maxSeconds > 0 && time.Now().After(deadline) {
			break
		}
		from := time.Now()
		if o.rate > 0 {
			from = start.Add(time.Duration(float64(i) * 1e9 / o.rate))
			if d := time.Until(from); d > 0 {
				time.Sleep(d + o.paceStep)
			}
		}
		if err := p.send(subjects[i%len(subjects)], i, payload(i, from), from); err != nil {
			fail("publish: %v", err)
		}
		sent++
	}
	p.sentAll(sent)
	return start, sent
}

func produce(nc *nats.Conn, js nats.JetStreamContext, o options) result {
	createStream(js, o)
	data := make([]byte, o.size)
	for i := range data {
		data[i] = byte(i*131 + 7)
	}
	p := newPublisher(nc, o)
	start, sent := pace(p, o, func(int, time.Time) []byte { return data })
	r := result{Kind: "produce", Stream: o.stream, Subjects: o.subjects, Size: o.size, Replicas: o.replicas, Rate: o.rate,
		Planned: o.messages, Stopped: strconv.FormatBool(sent < o.messages)}
	if !p.wait(o.timeout) {
		r.FirstError = "timed out waiting for acks"
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	r.Messages, r.Failed = p.acked, p.failed
	if p.firstErr != "" {
		r.FirstError = p.firstErr
	}
	r.Bytes = int64(p.acked) * int64(o.size)
	r.From = "send"
	if o.rate > 0 {
		r.From = "intended_send"
	}
	p.acks.fill(&r.P50, &r.P99, &r.P999, &r.Max)
	r.finish(p.lastAck.Sub(start))
	return r
}
