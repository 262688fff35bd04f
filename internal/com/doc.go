// Package com is the COM plumbing bitssim's Windows code shares: the
// client side that calls COM objects through their vtables
// ([Unknown.Call], [CreateInstance]), the server side that implements COM
// objects in Go ([NewVTable], [NewObject], [RegisterClassObject]), the
// process's start-up in the multithreaded apartment ([Init]), and the
// conversions every COM method needs (GUIDs, strings in CoTaskMem memory,
// HRESULTs).
//
// It knows nothing of BITS: the BITS interfaces' slots, identifiers and
// the BITS_JOB_PROPERTY_VALUE union are in package bitsabi below it. The
// files that call Windows build only there; the HRESULT conversions and
// the IUnknown and IClassFactory tables build, and are tested, everywhere.
//
// Objects made in Go follow one design: a vtable per interface, built once
// with syscall.NewCallback (which has a process-wide limit) and shared by
// every object of that interface; each method finds its object in a
// registry keyed by the object's address (this), so an address COM uses
// after the last Release is answered with RPC_E_DISCONNECTED rather than
// followed. Objects are Go heap values, pinned while COM holds them, and
// their reference counts are atomic: COM calls AddRef and Release from any
// thread.
package com
