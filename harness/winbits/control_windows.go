//go:build windows

package winbits

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/bitssim/bitssim/comserver/ctl"
	"github.com/bitssim/bitssim/model"
)

// serverControl drives the control plane of a bitssim COM server
// (bitssim-comserver, comserver/ctl) when that server is the BITS the
// backend talks to (Options.Control, or BITSSIM_CTL). The server then runs
// the simulator's manual clock, so that time and delivery are the suite's
// to move, as against the simulator itself: Advance moves virtual time by
// exactly the duration asked (no real wait), and Settle has the server do
// everything due now (deliveries to objects, CLSID activations through
// COM, command lines run to their exit) before it waits for the helpers
// to report. Nothing then depends on how fast Wine starts a process.
type serverControl struct {
	c *ctl.Client
}

// newServerControl returns the control of the server at addr ("" and no
// BITSSIM_CTL: none).
func newServerControl(addr string) *serverControl {
	if addr == "" {
		addr = os.Getenv("BITSSIM_CTL")
	}
	if addr == "" {
		return nil
	}
	return &serverControl{c: &ctl.Client{Addr: addr, HTTP: &http.Client{Transport: &http.Transport{Proxy: nil}}}}
}

// ctx bounds one request: a delivery may wait for a class server or a
// command line to start, which takes Wine a few seconds.
func (s *serverControl) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 2*time.Minute)
}

// advance moves the server's virtual time by d, doing the work due.
func (s *serverControl) advance(d time.Duration) (uint64, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	st, err := s.c.Advance(ctx, d)
	if err != nil {
		return 0, fmt.Errorf("winbits: the COM server's control plane: %w", err)
	}
	return st.LastSeq, nil
}

// idle has the server do the work due now and returns its trace's last
// sequence number.
func (s *serverControl) idle() (uint64, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	st, err := s.c.Idle(ctx)
	if err != nil {
		return 0, fmt.Errorf("winbits: the COM server's control plane: %w", err)
	}
	return st.LastSeq, nil
}

// remote scripts the server's simulator with a source of size bytes
// that transfers rate bytes a virtual second.
func (s *serverControl) remote(url string, size, rate uint64) error {
	ctx, cancel := s.ctx()
	defer cancel()
	if err := s.c.SetRemote(ctx, ctl.Remote{URL: url, Size: size, Rate: rate}); err != nil {
		return fmt.Errorf("winbits: the COM server's control plane: %w", err)
	}
	return nil
}

// restart restarts the server's simulated BITS service.
func (s *serverControl) restart() error {
	ctx, cancel := s.ctx()
	defer cancel()
	if _, err := s.c.Restart(ctx); err != nil {
		return fmt.Errorf("winbits: the COM server's control plane: %w", err)
	}
	return nil
}

// lastSeq returns the sequence number of the server's last trace event.
func (s *serverControl) lastSeq() (uint64, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	st, err := s.c.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("winbits: the COM server's control plane: %w", err)
	}
	return st.LastSeq, nil
}

// trace returns the server's trace after sequence number since.
func (s *serverControl) trace(since uint64) ([]model.Event, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	evs, err := s.c.Trace(ctx, since)
	if err != nil {
		return nil, fmt.Errorf("winbits: the COM server's control plane: %w", err)
	}
	return evs, nil
}

// owed adds the reports the server's trace events promise (reports.owe).
func (b *Backend) owed(evs []model.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range evs {
		b.srvSeq = max(b.srvSeq, e.Seq)
	}
	b.want.owe(evs, b.helperApps, b.ours)
	b.vtimes.add(evs, b.helperApps, b.ours)
}

// drained reports whether every report owed has arrived, and what is
// missing.
func (b *Backend) drained() (bool, string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	missing := b.want.missing(b.got)
	return len(missing) == 0, strings.Join(missing, ", ")
}

// settleServer alternates the server's work due now and the helpers'
// quiet, until a round adds nothing to the server's trace (what a helper
// did during the quiet, such as Complete from a callback, may make more
// work due); at most 20 rounds. Each round also waits, within
// Options.SettleTimeout, until every report the server's trace promises
// has arrived (owed), so that a report slow to come through a pipe or a
// file under load is not missed.
func (b *Backend) settleServer() error {
	last, err := b.server.idle()
	if err != nil {
		return err
	}
	for range 20 {
		if err := b.waitOwed(); err != nil {
			return err
		}
		seq, err := b.server.idle()
		if err != nil {
			return err
		}
		if seq == last {
			return nil
		}
		last = seq
	}
	debugf("settleServer: the server's trace still grows after 20 rounds")
	return nil
}

// waitOwed reads the server's new trace events (owed), settles, and waits
// until the sources are drained or Options.SettleTimeout has passed.
func (b *Backend) waitOwed() error {
	evs, err := b.server.trace(b.seenSeq())
	if err != nil {
		return err
	}
	b.owed(evs)
	b.settleQuiet()
	deadline := time.Now().Add(b.opts.SettleTimeout)
	for {
		ok, missing := b.drained()
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			debugf("settleServer: reports still missing after %v: %s", b.opts.SettleTimeout, missing)
			return nil
		}
		time.Sleep(20 * time.Millisecond)
		b.flush()
	}
}

func (b *Backend) seenSeq() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.srvSeq
}

// mapAccount tells the server that process pid acts as acct: under Wine
// COM cannot tell the server who calls (see comserver.Server.MapAccount).
func (s *serverControl) mapAccount(pid int, acct model.Account) error {
	kind := "user"
	switch {
	case acct.Kind == model.AccountAdministrator && acct.Unelevated:
		kind = "unelevated-administrator"
	case acct.Kind == model.AccountAdministrator:
		kind = "administrator"
	case acct.Kind == model.AccountLocalSystem:
		kind = "localsystem"
	case acct.Kind == model.AccountLocalService:
		kind = "localservice"
	case acct.Kind == model.AccountNetworkService:
		kind = "networkservice"
	}
	ctx, cancel := s.ctx()
	defer cancel()
	if err := s.c.MapAccount(ctx, ctl.Account{PID: uint32(pid), User: acct.Name, Kind: kind}); err != nil {
		return fmt.Errorf("winbits: the COM server's control plane: %w", err)
	}
	return nil
}

// mapApp maps the processes that act for app a to an account, against a
// bitssim COM server: the test process (which makes every app's API
// calls) and a's helper (which registers its callback objects). Every
// app of a backend runs as one account on a real BITS (the current user);
// against the server that account is the first app's user, so that a job
// an app labelled alice creates is owned by alice (GetOwner), as the
// scenarios write. A backend without Users capability runs no scenario
// with two users, so the label is the account.
func (b *Backend) mapApp(a *app) error {
	if b.server == nil {
		return nil
	}
	b.mu.Lock()
	first := b.account == nil
	if first {
		u := a.user
		b.account = &u
	}
	acct := *b.account
	b.mu.Unlock()
	if first {
		if err := b.server.mapAccount(os.Getpid(), acct); err != nil {
			return err
		}
	}
	return b.server.mapAccount(a.proc.cmd.Process.Pid, acct)
}
