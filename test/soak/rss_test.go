package soak

import "testing"

func TestRSSGrowth(t *testing.T) {
	flat := []map[string]int64{{"imapd": 10000}, {"imapd": 25000}, {"imapd": 24000}, {"imapd": 26000}}
	if g := rssGrowth(flat); len(g) != 0 {
		t.Errorf("warm-up then plateau reported as growth: %v", g)
	}
	leak := []map[string]int64{{"imapd": 10000}, {"imapd": 20000}, {"imapd": 30000}, {"imapd": 40000}}
	if g := rssGrowth(leak); len(g) != 1 {
		t.Errorf("steady climb of 20 MiB not reported: %v", g)
	}
	restarted := []map[string]int64{{"lmtpd": 9000}, {"lmtpd": 30000}, {"lmtpd": 4000}, {"lmtpd": 12000}}
	if g := rssGrowth(restarted); len(g) != 0 {
		t.Errorf("a daemon restarted after kill -9 reported as growth: %v", g)
	}
	if g := rssGrowth(flat[:3]); g != nil {
		t.Errorf("too few samples judged: %v", g)
	}
}
