package com

import "github.com/bitssim/bitssim/model"

// Identifiers of the two COM interfaces every COM server answers
// (unknwn.idl).
var (
	// IIDUnknown is IID_IUnknown.
	IIDUnknown = model.MustParseGUID("{00000000-0000-0000-C000-000000000046}")
	// IIDClassFactory is IID_IClassFactory.
	IIDClassFactory = model.MustParseGUID("{00000001-0000-0000-C000-000000000046}")
)

// SlotUnknown is the vtable slot of each IUnknown method: every COM
// interface starts with these three.
var SlotUnknown = struct {
	QueryInterface, AddRef, Release int
}{0, 1, 2}

// SlotClassFactory is the vtable slot of each IClassFactory method.
var SlotClassFactory = struct {
	CreateInstance, LockServer int
}{3, 4}

// CLSCTX and REGCLS values this package passes (wtypesbase.h, combaseapi.h).
const (
	// ClsctxLocalServer is CLSCTX_LOCAL_SERVER: a server in another process.
	ClsctxLocalServer = 0x4
	// RegclsMultipleUse is REGCLS_MULTIPLEUSE: one class object serves
	// every activation.
	RegclsMultipleUse = 1
)
