package cyrusdb

import (
	"errors"
	"slices"
	"testing"
)

func TestCountersRoundTrip(t *testing.T) {
	for _, c := range [][]int64{nil, {0}, {1, -1, 1 << 62, -(1 << 63)}} {
		if got := DecodeCounters(EncodeCounters(c)); !slices.Equal(got, c) && len(c) > 0 {
			t.Errorf("round trip %v = %v", c, got)
		}
	}
	if got := DecodeCounters([]byte{0, 0, 0, 0, 0, 0, 0, 7, 9}); !slices.Equal(got, []int64{7}) {
		t.Errorf("partial tail: %v", got)
	}
}

func TestApplyAdd(t *testing.T) {
	tests := []struct {
		name    string
		cur     []int64 // nil: key absent
		add     Add
		want    []int64
		refused int // counter index refused, -1 none
	}{
		{"missing key is zeros", nil, Add{Deltas: []int64{5, 1}}, []int64{5, 1}, -1},
		{"grows the vector", []int64{1}, Add{Deltas: []int64{1, 2, 3}}, []int64{2, 2, 3}, -1},
		{"keeps extra counters", []int64{1, 2, 3}, Add{Deltas: []int64{1}}, []int64{2, 2, 3}, -1},
		{"negative delta", []int64{10}, Add{Deltas: []int64{-4}}, []int64{6}, -1},
		{"up to the limit", []int64{90}, Add{Deltas: []int64{10}, Limits: []int64{100}}, []int64{100}, -1},
		{"over the limit", []int64{90}, Add{Deltas: []int64{11}, Limits: []int64{100}}, nil, 0},
		{"second counter over", []int64{0, 5}, Add{Deltas: []int64{1, 1}, Limits: []int64{-1, 5}}, nil, 1},
		{"-1 is unlimited", []int64{1 << 40}, Add{Deltas: []int64{1 << 40}, Limits: []int64{-1}}, []int64{1 << 41}, -1},
		{"missing limit is unlimited", []int64{5, 5}, Add{Deltas: []int64{1, 1}, Limits: []int64{10}}, []int64{6, 6}, -1},
		{"negative never refused", []int64{200}, Add{Deltas: []int64{-1}, Limits: []int64{100}}, []int64{199}, -1},
		{"zero delta over limit passes", []int64{200}, Add{Deltas: []int64{0}, Limits: []int64{100}}, []int64{200}, -1},
		{"check before: under, overflow allowed", []int64{96}, Add{Deltas: []int64{7}, Limits: []int64{100}, CheckBefore: true}, []int64{103}, -1},
		{"check before: at limit allowed", []int64{100}, Add{Deltas: []int64{7}, Limits: []int64{100}, CheckBefore: true}, []int64{107}, -1},
		{"check before: already over", []int64{103}, Add{Deltas: []int64{1}, Limits: []int64{100}, CheckBefore: true}, nil, 0},
		{"check before: negative passes", []int64{103}, Add{Deltas: []int64{-3}, Limits: []int64{100}, CheckBefore: true}, []int64{100}, -1},
		{"int64 overflow refused", []int64{1<<63 - 1}, Add{Deltas: []int64{1}, Limits: []int64{1<<63 - 1}}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cur []byte
			if tt.cur != nil {
				cur = EncodeCounters(tt.cur)
			}
			got, err := applyAdd([]byte("k"), cur, tt.add)
			if tt.refused >= 0 {
				var le *LimitError
				if !errors.As(err, &le) || le.Index != tt.refused || !errors.Is(err, ErrLimit) {
					t.Fatalf("want refusal of counter %d, got %v, %v", tt.refused, got, err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	if _, err := applyAdd([]byte("k"), []byte("abc"), Add{Deltas: []int64{1}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("non-counter value: %v", err)
	}
}
