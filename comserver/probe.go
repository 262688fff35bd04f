package comserver

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bitssim/bitssim/sim"
)

// Prober learns how loopback HTTP sources behave, so that the simulator's
// transfers of them end as a real transfer would: it requests each URL
// once and scripts the simulator's remote with the answer's status and
// size (sim.HTTPStatus: 2xx transfers, 5xx, 408 and 429 fail transiently,
// others fatally). Only loopback hosts are asked (a test's own HTTP
// server); other URLs keep the simulator's default or scripted remote.
// What it does not learn: the pace of a slow source (the simulator
// transfers at its own rate) and anything after the first answer.
type Prober struct {
	// Client makes the requests (default: no proxy, 5 s timeout).
	Client *http.Client
	// MaxBody bounds how much of a body without Content-Length is read to
	// learn its size (default 64 MiB).
	MaxBody int64

	mu   sync.Mutex
	done map[string]bool
}

// Probe scripts svc's remote for rawURL, once per URL; it does nothing for
// a URL that is not http(s) on a loopback host, and leaves the remote
// unscripted when the request fails. A local source (LocalSource: a drive
// or UNC path, a file:// URL) is looked at on every call instead: its
// size, or a fatal ERROR_FILE_NOT_FOUND (0x80070002) when it is missing.
func (p *Prober) Probe(svc *sim.Service, rawURL string) error {
	if path, ok := LocalSource(rawURL); ok {
		return probeLocal(svc, rawURL, path)
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !loopbackHost(u.Hostname()) {
		return nil
	}
	p.mu.Lock()
	if p.done == nil {
		p.done = map[string]bool{}
	}
	seen := p.done[rawURL]
	p.done[rawURL] = true
	p.mu.Unlock()
	if seen {
		return nil
	}
	c := p.Client
	if c == nil {
		c = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil}}
	}
	resp, err := c.Get(rawURL)
	if err != nil {
		return fmt.Errorf("comserver: probing %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	size := resp.ContentLength
	if size < 0 {
		limit := p.MaxBody
		if limit <= 0 {
			limit = 64 << 20
		}
		size, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, limit))
	}
	return svc.SetRemote(rawURL, sim.HTTPStatus(resp.StatusCode, uint64(size)))
}

// loopbackHost reports whether host names the loopback interface.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
