package ctl

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/bitssim/bitssim/model"
)

// Client drives a control plane.
type Client struct {
	// Addr is the server's host:port (DefaultAddr when empty).
	Addr string
	// HTTP is the client to use (http.DefaultClient when nil).
	HTTP *http.Client
}

// Error is a request the control plane refused or failed: the HTTP status
// and the server's message (with the HRESULT, when there is one).
type Error struct {
	Status  int
	Message string
	HRESULT string
}

func (e *Error) Error() string {
	if e.HRESULT != "" {
		return fmt.Sprintf("%s (HTTP %d, %s)", e.Message, e.Status, e.HRESULT)
	}
	return fmt.Sprintf("%s (HTTP %d)", e.Message, e.Status)
}

// Do sends one request: GET when body is nil, POST with body as JSON
// otherwise; out, when not nil, receives the JSON answer.
func (c *Client) Do(ctx context.Context, verb string, body, out any) error {
	addr := c.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	method, rd := http.MethodGet, io.Reader(nil)
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("ctl %s: %w", verb, err)
		}
		method, rd = http.MethodPost, bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+addr+"/v1/"+verb, rd)
	if err != nil {
		return fmt.Errorf("ctl %s: %w", verb, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("ctl %s: %w", verb, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("ctl %s: %w", verb, err)
	}
	if resp.StatusCode != http.StatusOK {
		var eb errorBody
		if json.Unmarshal(data, &eb) != nil || eb.Error == "" {
			eb.Error = string(bytes.TrimSpace(data))
		}
		return &Error{Status: resp.StatusCode, Message: eb.Error, HRESULT: eb.HRESULT}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("ctl %s: bad answer: %w", verb, err)
		}
	}
	return nil
}

// Status returns the simulator's status.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var st Status
	err := c.Do(ctx, "status", nil, &st)
	return st, err
}

// Advance moves virtual time forward by d.
func (c *Client) Advance(ctx context.Context, d time.Duration) (Status, error) {
	var st Status
	err := c.Do(ctx, "advance", map[string]string{"duration": d.String()}, &st)
	return st, err
}

// Idle runs what is due (manual clock) or waits until the service is idle.
func (c *Client) Idle(ctx context.Context) (Status, error) {
	var st Status
	err := c.Do(ctx, "idle", struct{}{}, &st)
	return st, err
}

// Restart restarts the simulated BITS service.
func (c *Client) Restart(ctx context.Context) (Status, error) {
	var st Status
	err := c.Do(ctx, "restart", struct{}{}, &st)
	return st, err
}

// Crash marks the app crashed; Exit marks it exited.
func (c *Client) Crash(ctx context.Context, app string) error {
	return c.Do(ctx, "crash", map[string]string{"app": app}, nil)
}

// Exit marks the app exited.
func (c *Client) Exit(ctx context.Context, app string) error {
	return c.Do(ctx, "exit", map[string]string{"app": app}, nil)
}

// SetRemote scripts a remote URL.
func (c *Client) SetRemote(ctx context.Context, r Remote) error { return c.Do(ctx, "remote", r, nil) }

// MapAccount tells the server that client process pid acts as the account
// a names wherever it cannot tell who calls (see Account).
func (c *Client) MapAccount(ctx context.Context, a Account) error {
	return c.Do(ctx, "account", a, nil)
}

// Trace returns the notification events after sequence since.
func (c *Client) Trace(ctx context.Context, since uint64) ([]model.Event, error) {
	var ev []model.Event
	err := c.Do(ctx, "trace?since="+strconv.FormatUint(since, 10), nil, &ev)
	return ev, err
}

// Launches returns the command lines launched.
func (c *Client) Launches(ctx context.Context) ([]Launch, error) {
	var ls []Launch
	err := c.Do(ctx, "launches", nil, &ls)
	return ls, err
}

// Stop stops the server process.
func (c *Client) Stop(ctx context.Context) error { return c.Do(ctx, "stop", struct{}{}, nil) }
