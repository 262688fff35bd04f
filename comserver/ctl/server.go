package ctl

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// Server is a running control plane.
type Server struct {
	ln  net.Listener
	srv *http.Server
}

// Listen serves the control plane of svc on addr, which must be a
// loopback address ("127.0.0.1:7390", "[::1]:0", "localhost:0"); any
// other is refused with E_INVALIDARG. stop is what the stop verb calls;
// opts are the Handler's.
func Listen(addr string, svc *sim.Service, stop func(), opts ...Option) (*Server, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("ctl: address %q: %w", addr, model.E_INVALIDARG)
	}
	if !isLoopback(host) {
		return nil, fmt.Errorf("ctl: address %q is not loopback: %w", addr, model.E_INVALIDARG)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ctl: %w", err)
	}
	s := &Server{ln: ln, srv: &http.Server{Handler: Handler(svc, stop, opts...), ReadHeaderTimeout: 10 * time.Second}}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = ln.Close()
		}
	}()
	return s, nil
}

// Addr is the address the control plane listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the control plane, letting requests in flight finish for up
// to five seconds.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.srv.Shutdown(ctx)
}
