package ctl_test

import (
	"context"
	"fmt"
	"time"

	"github.com/bitssim/bitssim/comserver/ctl"
	"github.com/bitssim/bitssim/sim"
)

// Drive a simulator through its control plane, as `bitssim ctl` drives
// the COM server: here the server runs in this process on a free loopback
// port.
func Example() {
	svc, err := sim.New(sim.Options{Clock: sim.Manual})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer svc.Close()
	srv, err := ctl.Listen("127.0.0.1:0", svc, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	c := &ctl.Client{Addr: srv.Addr()}
	st, err := c.Advance(context.Background(), 90*time.Minute)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.Clock, st.Now.UTC().Format(time.RFC3339))
	// Output: manual 2026-01-01T01:30:00Z
}
