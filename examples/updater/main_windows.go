//go:build windows

package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/bitssim/bitssim/harness/winbits"
	"github.com/bitssim/bitssim/model"
)

func main() {
	version := flag.String("version", "", "the version to install")
	url := flag.String("url", "", "where to download it from")
	out := flag.String("out", "", "the local path to save it to")
	store := flag.String("store", "updates.json", "the file recording installed updates")
	wait := flag.Duration("wait", time.Hour, "how long to wait for the download")
	flag.Parse()
	if *version == "" || *url == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: updater -version V -url URL -out PATH [-store FILE] [-wait D]")
		os.Exit(2)
	}
	mgr, err := winbits.Connect()
	if err != nil {
		fmt.Fprintln(os.Stderr, "updater:", err)
		os.Exit(1)
	}
	u := New(mgr, NewFileStore(*store), model.GUID_NULL)
	done := make(chan error, 1)
	u.OnDone(func(v string, err error) { done <- err })
	if _, err := u.Reattach(); err != nil { // jobs of an earlier run
		fmt.Fprintln(os.Stderr, "updater:", err)
	}
	if _, err := u.Download(*version, *url, *out); err != nil {
		fmt.Fprintln(os.Stderr, "updater:", err)
		os.Exit(1)
	}
	select {
	case err := <-done:
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println("installed", *version)
	case <-time.After(*wait):
		fmt.Println("still downloading; BITS goes on, and the next run picks the job up")
	}
}
