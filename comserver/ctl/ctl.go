// Package ctl is the control plane of a simulator that runs in another
// process (the COM server, bitssim-comserver): loopback HTTP with JSON,
// which refuses any peer, and any Host, that is not loopback. A Server
// serves a sim.Service; a Client, and `bitssim ctl`, drive it.
//
// Verbs (POST /v1/<verb> with a JSON body; GET for status and trace):
//
//	status                       the clock, the apps and how much work is pending
//	advance   {"duration":"10m"} move virtual time (sim.Service.Advance)
//	idle      {}                 manual clock: run what is due (RunUntilIdle); automatic: wait until idle
//	restart   {}                 a BITS service restart through the store
//	crash     {"app":"pid42"}    mark an app crashed (its objects become unreachable)
//	exit      {"app":"pid42"}    mark an app exited
//	remote    {"url":...,...}    script how a remote URL transfers or fails
//	account   {"pid":42,"user":"alice","kind":"user"}
//	                             the client process 42 acts as alice where COM cannot tell (Wine)
//	trace     ?since=N           the notification events after sequence N
//	launches  {}                 the command lines launched
//	stop      {}                 stop the server process (it saves its state)
package ctl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// DefaultAddr is the loopback address the COM server listens on unless
// told otherwise.
const DefaultAddr = "127.0.0.1:7390"

// Status is what the status verb returns.
type Status struct {
	Version string    `json:"version"`
	Clock   string    `json:"clock"`
	Now     time.Time `json:"now"`
	Pending int       `json:"pending"`
	LastSeq uint64    `json:"lastSeq"`
	Apps    []AppInfo `json:"apps"`
}

// AppInfo describes one app (a client process, or a CLSID's server) the
// simulator knows.
type AppInfo struct {
	Name   string `json:"name"`
	User   string `json:"user"`
	Alive  bool   `json:"alive"`
	Server bool   `json:"server,omitempty"`
}

// Remote is the remote verb's body: a sim.Remote for URL. Status, when
// set, scripts an HTTP status instead (sim.HTTPStatus): 2xx transfers Size
// bytes, 5xx fails transiently, others fatally.
type Remote struct {
	URL               string `json:"url"`
	Size              uint64 `json:"size,omitempty"`
	Rate              uint64 `json:"rate,omitempty"`
	Latency           string `json:"latency,omitempty"`
	TransientFailures int    `json:"transientFailures,omitempty"`
	Status            int    `json:"status,omitempty"`
}

// Launch is one command line the simulator launched.
type Launch struct {
	Job        model.GUID `json:"job"`
	Program    string     `json:"program"`
	Parameters string     `json:"parameters"`
	User       string     `json:"user"`
	Time       time.Time  `json:"time"`
	ExitCode   int        `json:"exitCode"`
	Error      string     `json:"error,omitempty"`
}

// Account is the account verb's body: client process PID acts as the
// account User (Kind: user, administrator, unelevated-administrator,
// localsystem, localservice or networkservice; default user) wherever
// the server cannot tell who calls. Under Wine, CoImpersonateClient fails
// inside calls, so without it every caller is the server's own account.
type Account struct {
	PID  uint32 `json:"pid"`
	User string `json:"user"`
	Kind string `json:"kind,omitempty"`
}

// account returns the model.Account the body names.
func (b Account) account() (model.Account, error) {
	acct := model.Account{Name: b.User, Kind: model.AccountUser}
	switch strings.ToLower(b.Kind) {
	case "", "user":
	case "administrator", "admin":
		acct.Kind = model.AccountAdministrator
	case "unelevated-administrator", "unelevated":
		acct.Kind, acct.Unelevated = model.AccountAdministrator, true
	case "localsystem":
		acct.Kind = model.AccountLocalSystem
	case "localservice":
		acct.Kind = model.AccountLocalService
	case "networkservice":
		acct.Kind = model.AccountNetworkService
	default:
		return model.Account{}, fmt.Errorf("account kind %q: want user, administrator, unelevated-administrator, localsystem, localservice or networkservice: %w", b.Kind, model.E_INVALIDARG)
	}
	return acct, nil
}

// Option configures a Handler (and Listen).
type Option func(*handler)

// MapAccounts serves the account verb with f (the COM server's
// Server.MapAccount); without it the verb answers 501.
func MapAccounts(f func(pid uint32, user model.Account) error) Option {
	return func(h *handler) { h.mapAccount = f }
}

// errorBody is the JSON of a failed request.
type errorBody struct {
	Error   string `json:"error"`
	HRESULT string `json:"hresult,omitempty"`
}

// Handler serves the control plane of svc; stop, when not nil, is called
// by the stop verb. It refuses (403) every request whose peer or Host is
// not loopback, so that neither another machine nor a web page the user
// visits (DNS rebinding) can drive the simulator.
func Handler(svc *sim.Service, stop func(), opts ...Option) http.Handler {
	h := &handler{svc: svc, stop: stop}
	for _, o := range opts {
		o(h)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status", h.status)
	mux.HandleFunc("GET /v1/trace", h.trace)
	mux.HandleFunc("GET /v1/launches", h.launches)
	mux.HandleFunc("POST /v1/advance", h.advance)
	mux.HandleFunc("POST /v1/idle", h.idle)
	mux.HandleFunc("POST /v1/restart", h.restart)
	mux.HandleFunc("POST /v1/crash", h.app(func(a *sim.App) { a.Crash() }))
	mux.HandleFunc("POST /v1/exit", h.app(func(a *sim.App) { a.Exit() }))
	mux.HandleFunc("POST /v1/remote", h.remote)
	mux.HandleFunc("POST /v1/account", h.account)
	mux.HandleFunc("POST /v1/stop", h.stopVerb)
	return loopbackOnly(mux)
}

// loopbackOnly refuses requests from a non-loopback peer or for a
// non-loopback Host.
func loopbackOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil || !isLoopback(host) {
			writeError(w, http.StatusForbidden, fmt.Errorf("ctl: refused: peer %q is not loopback", r.RemoteAddr))
			return
		}
		h := r.Host
		if hh, _, err := net.SplitHostPort(h); err == nil {
			h = hh
		}
		if !isLoopback(h) {
			writeError(w, http.StatusForbidden, fmt.Errorf("ctl: refused: Host %q is not loopback", r.Host))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// isLoopback reports whether host is a loopback IP address or
// "localhost".
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

type handler struct {
	svc        *sim.Service
	stop       func()
	mapAccount func(pid uint32, user model.Account) error // nil: no account verb
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	body := errorBody{Error: err.Error()}
	var h model.HRESULT
	if errors.As(err, &h) {
		body.HRESULT = h.String()
	}
	_ = json.NewEncoder(w).Encode(body)
}

// decode reads a JSON body into v; an empty body leaves v as it is.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("ctl: bad request body: %w", err)
	}
	return nil
}

func (h *handler) status(w http.ResponseWriter, r *http.Request) {
	st := Status{Version: h.svc.Version().String(), Clock: h.svc.Mode().String(), Now: h.svc.Now(),
		Pending: h.svc.Pending(), LastSeq: h.svc.LastSeq(), Apps: []AppInfo{}}
	for _, a := range h.svc.Apps() {
		st.Apps = append(st.Apps, AppInfo{Name: a.Name(), User: a.User().String(), Alive: a.Alive(), Server: a.IsServer()})
	}
	writeJSON(w, st)
}

func (h *handler) trace(w http.ResponseWriter, r *http.Request) {
	var since uint64
	if s := r.URL.Query().Get("since"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Errorf("ctl: since=%q: not a sequence number", s))
			return
		}
		since = n
	}
	events := h.svc.TraceSince(since)
	if events == nil {
		events = []model.Event{}
	}
	writeJSON(w, events)
}

func (h *handler) launches(w http.ResponseWriter, r *http.Request) {
	out := []Launch{}
	for _, l := range h.svc.Launches() {
		x := Launch{Job: l.Job, Program: l.Program, Parameters: l.Parameters, User: l.User.String(), Time: l.Time, ExitCode: l.ExitCode}
		if l.Err != nil {
			x.Error = l.Err.Error()
		}
		out = append(out, x)
	}
	writeJSON(w, out)
}

func (h *handler) advance(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Duration string `json:"duration"`
	}
	if err := decode(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	d, err := time.ParseDuration(body.Duration)
	if err != nil || d < 0 {
		writeError(w, http.StatusBadRequest, fmt.Errorf("ctl: advance: duration %q: want a non-negative Go duration such as 10m: %w", body.Duration, model.E_INVALIDARG))
		return
	}
	if err := h.svc.Advance(d); err != nil {
		writeError(w, http.StatusConflict, fmt.Errorf("ctl: advance: %w", err))
		return
	}
	h.status(w, r)
}

func (h *handler) idle(w http.ResponseWriter, r *http.Request) {
	var err error
	if h.svc.Mode() == sim.Manual {
		err = h.svc.RunUntilIdle()
	} else {
		ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
		defer cancel()
		err = h.svc.WaitIdle(ctx)
	}
	if err != nil {
		writeError(w, http.StatusConflict, fmt.Errorf("ctl: idle: %w", err))
		return
	}
	h.status(w, r)
}

func (h *handler) restart(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.Restart(); err != nil {
		writeError(w, http.StatusConflict, fmt.Errorf("ctl: restart: %w", err))
		return
	}
	h.status(w, r)
}

// app runs f on the app the body names.
func (h *handler) app(f func(a *sim.App)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			App string `json:"app"`
		}
		if err := decode(r, &body); err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		var names []string
		for _, a := range h.svc.Apps() {
			if a.Name() == body.App {
				f(a)
				h.status(w, r)
				return
			}
			names = append(names, a.Name())
		}
		writeError(w, http.StatusNotFound, fmt.Errorf("ctl: no app %q (apps: %s)", body.App, strings.Join(names, ", ")))
	}
}

func (h *handler) remote(w http.ResponseWriter, r *http.Request) {
	var body Remote
	if err := decode(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	rem, err := body.toSim()
	if err == nil {
		err = h.svc.SetRemote(body.URL, rem)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("ctl: remote: %w", err))
		return
	}
	writeJSON(w, body)
}

// toSim converts the body to a sim.Remote.
func (b Remote) toSim() (sim.Remote, error) {
	if b.Status != 0 {
		if b.Status < 100 || b.Status > 999 {
			return sim.Remote{}, fmt.Errorf("HTTP status %d: %w", b.Status, model.E_INVALIDARG)
		}
		return sim.HTTPStatus(b.Status, b.Size), nil
	}
	rem := sim.Remote{Size: b.Size, Rate: b.Rate, TransientFailures: b.TransientFailures}
	if b.Latency != "" {
		d, err := time.ParseDuration(b.Latency)
		if err != nil {
			return sim.Remote{}, fmt.Errorf("latency %q: %w", b.Latency, model.E_INVALIDARG)
		}
		rem.Latency = d
	}
	return rem, nil
}

func (h *handler) account(w http.ResponseWriter, r *http.Request) {
	if h.mapAccount == nil {
		writeError(w, http.StatusNotImplemented, errors.New("ctl: account: this server tells callers apart itself and maps no process to an account"))
		return
	}
	var body Account
	if err := decode(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	acct, err := body.account()
	if err == nil {
		err = h.mapAccount(body.PID, acct)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("ctl: account: %w", err))
		return
	}
	writeJSON(w, body)
}

func (h *handler) stopVerb(w http.ResponseWriter, r *http.Request) {
	if h.stop == nil {
		writeError(w, http.StatusNotImplemented, errors.New("ctl: this server cannot be stopped from the control plane"))
		return
	}
	writeJSON(w, map[string]bool{"stopping": true})
	h.stop()
}
