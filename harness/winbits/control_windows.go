//go:build windows

package winbits

import (
	"context"
	"fmt"
	"net/http"
	"os"
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

// settleServer alternates the server's work due now and the helpers'
// quiet, until a round adds nothing to the server's trace (what a helper
// did during the quiet, such as Complete from a callback, may make more
// work due); at most 20 rounds.
func (b *Backend) settleServer() error {
	last, err := b.server.idle()
	if err != nil {
		return err
	}
	for range 20 {
		b.settleQuiet()
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
