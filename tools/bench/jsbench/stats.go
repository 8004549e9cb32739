package main

import (
	"encoding/json"
	"math"
	"sort"
	"time"
)

// latencies collects latency samples in nanoseconds; percentiles use the nearest-rank definition, as
// Millrace's LatencyHistogram does (which is exact to 0.1%).
type latencies struct{ samples []int64 }

func (l *latencies) add(d time.Duration) { l.samples = append(l.samples, int64(d)) }

func (l *latencies) percentile(p float64) float64 {
	if len(l.samples) == 0 {
		return 0
	}
	rank := int(math.Ceil(p/100*float64(len(l.samples)) - 1e-6))
	if rank < 1 {
		rank = 1
	}
	return float64(l.samples[rank-1]) / 1e6
}

type result struct {
	Kind       string   `json:"kind"`
	Stream     string   `json:"topic"`
	Messages   int      `json:"messages"`
	Failed     int      `json:"failed"`
	Bytes      int64    `json:"bytes"`
	ElapsedS   float64  `json:"elapsed_s"`
	MBPerS     float64  `json:"mb_per_s"`
	MsgsPerS   float64  `json:"msgs_per_s"`
	P50        *float64 `json:"p50_ms"`
	P99        *float64 `json:"p99_ms"`
	P999       *float64 `json:"p999_ms"`
	Max        *float64 `json:"max_ms"`
	AckP50     *float64 `json:"ack_p50_ms,omitempty"`
	AckP99     *float64 `json:"ack_p99_ms,omitempty"`
	AckP999    *float64 `json:"ack_p999_ms,omitempty"`
	AckMax     *float64 `json:"ack_max_ms,omitempty"`
	From       string   `json:"latency_from"`
	Subjects   int      `json:"partitions"`
	Size       int      `json:"size"`
	Replicas   int      `json:"replicas"`
	Rate       float64  `json:"rate"`
	Planned    int      `json:"planned_messages"`
	Stopped    string   `json:"stopped_early"`
	FirstError string   `json:"first_error,omitempty"`
}

func (r *result) finish(elapsed time.Duration) {
	r.ElapsedS = elapsed.Seconds()
	if r.ElapsedS > 0 {
		r.MBPerS = float64(r.Bytes) / 1e6 / r.ElapsedS
		r.MsgsPerS = float64(r.Messages) / r.ElapsedS
	}
}

func (l *latencies) fill(p50, p99, p999, max **float64) {
	if len(l.samples) == 0 {
		return
	}
	sort.Slice(l.samples, func(i, j int) bool { return l.samples[i] < l.samples[j] })
	v := []float64{l.percentile(50), l.percentile(99), l.percentile(99.9), float64(l.samples[len(l.samples)-1]) / 1e6}
	*p50, *p99, *p999, *max = &v[0], &v[1], &v[2], &v[3]
}

func (r *result) json() string {
	out, _ := json.Marshal(r)
	return string(out)
}
