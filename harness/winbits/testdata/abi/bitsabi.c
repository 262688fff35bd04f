/*
 * bitsabi.c — ABI checks for harness/winbits, built with mingw-w64
 * (x86_64-w64-mingw32-gcc) into bitsabi.dll and loaded by the Go tests in
 * abi_windows_test.go (scripts/wine-conformance.sh builds it and runs them
 * under Wine; BITSSIM_ABI_DLL names the DLL).
 *
 * The interfaces come from mingw-w64's headers (bits.h .. bits5_0.h, made
 * with widl from the IDL), so the vtable order, the calling convention and
 * the layout of BITS_JOB_PROPERTY_VALUE are the C compiler's, not ours:
 *
 *  - AbiNewJob returns a stand-in IBackgroundCopyJob5 (it also answers
 *    IBackgroundCopyJob..Job4) whose SetProperty records the exact 16 bytes
 *    of the union it receives, per property ID, and whose GetProperty
 *    returns them; AbiRecorded reads them back.
 *  - AbiDriveCallback calls a callback object made in Go through its
 *    vtable: QueryInterface for IUnknown, IBackgroundCopyCallback, 2, 3 and
 *    a refused IID, AddRef and Release counts, and every method, with
 *    stand-in job, error and file objects whose reference counts are
 *    watched.
 */
#define COBJMACROS
#include <initguid.h>
#include <windows.h>
#include <objbase.h>
#include <bits5_0.h>
#include <string.h>

#ifndef BG_E_UNKNOWN_PROPERTY_ID
#define BG_E_UNKNOWN_PROPERTY_ID ((HRESULT)0x80200057L) /* bitsmsg.h of newer SDKs */
#endif

#define ABI_EXPORT __declspec(dllexport)

/* IBackgroundCopyCallback3 (bits10_1.h, which mingw-w64 lacks):
 * IBackgroundCopyCallback2 and FileRangesTransferred. */
DEFINE_GUID(IID_AbiCallback3, 0x98c97bd2, 0xe32b, 0x4ad8, 0xa5, 0x28, 0x95, 0xfd, 0x8b, 0x16, 0xbd, 0x42);

typedef struct AbiCallback3 AbiCallback3;
typedef struct AbiCallback3Vtbl {
    IBackgroundCopyCallback2Vtbl base;
    HRESULT (STDMETHODCALLTYPE *FileRangesTransferred)(AbiCallback3 *This, IBackgroundCopyJob *job,
        IBackgroundCopyFile *file, DWORD rangeCount, const BG_FILE_RANGE ranges[]);
} AbiCallback3Vtbl;
struct AbiCallback3 {
    const AbiCallback3Vtbl *lpVtbl;
};

/* ---- stand-in objects ------------------------------------------------ */

/* Every stand-in starts with one reference, held by this DLL, and is never
 * freed: a Release that would take it to zero marks it over-released. */
typedef struct Fake {
    const void *lpVtbl;
    LONG refs;
    LONG overReleased;
} Fake;

static HRESULT STDMETHODCALLTYPE notImpl(void) { return E_NOTIMPL; }

static void fillNotImpl(void *vtbl, size_t size)
{
    void **slot = (void **)vtbl;
    for (size_t i = 0; i < size / sizeof(void *); i++)
        slot[i] = (void *)notImpl;
}

static ULONG STDMETHODCALLTYPE fakeAddRef(void *This)
{
    return (ULONG)InterlockedIncrement(&((Fake *)This)->refs);
}

static ULONG STDMETHODCALLTYPE fakeRelease(void *This)
{
    Fake *f = This;
    LONG n = InterlockedDecrement(&f->refs);
    if (n < 1) {
        InterlockedExchange(&f->overReleased, 1);
        InterlockedIncrement(&f->refs);
        return 0;
    }
    return (ULONG)n;
}

static HRESULT answer(void *This, REFIID riid, void **ppv, const IID *const *iids)
{
    if (!ppv)
        return E_POINTER;
    *ppv = NULL;
    if (IsEqualIID(riid, &IID_IUnknown))
        goto yes;
    for (; *iids; iids++)
        if (IsEqualIID(riid, *iids))
            goto yes;
    return E_NOINTERFACE;
yes:
    fakeAddRef(This);
    *ppv = This;
    return S_OK;
}

static LPWSTR dupString(const WCHAR *s)
{
    size_t n = (wcslen(s) + 1) * sizeof(WCHAR);
    LPWSTR p = CoTaskMemAlloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* The job: IBackgroundCopyJob5 and its bases. */

/* {5AB1E000-0001-4000-8000-0000000000AB}, the ID the stand-in job reports. */
static const GUID abiJobID = {0x5ab1e000, 0x0001, 0x4000, {0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xab}};

#define MAX_PROPERTY 16
static struct {
    LONG set;                        /* SetProperty calls for the ID */
    BITS_JOB_PROPERTY_ID id;         /* the ID as received */
    unsigned char bytes[sizeof(BITS_JOB_PROPERTY_VALUE)];
} recorded[MAX_PROPERTY];

static IBackgroundCopyJob5Vtbl jobVtbl;
static Fake job = {&jobVtbl, 1, 0};

static HRESULT STDMETHODCALLTYPE jobQI(IBackgroundCopyJob5 *This, REFIID riid, void **ppv)
{
    static const IID *const iids[] = {&IID_IBackgroundCopyJob, &IID_IBackgroundCopyJob2, &IID_IBackgroundCopyJob3,
        &IID_IBackgroundCopyJob4, &IID_IBackgroundCopyJob5, NULL};
    return answer(This, riid, ppv, iids);
}

static HRESULT STDMETHODCALLTYPE jobGetId(IBackgroundCopyJob5 *This, GUID *id)
{
    if (!id)
        return E_INVALIDARG;
    *id = abiJobID;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE jobSetProperty(IBackgroundCopyJob5 *This, BITS_JOB_PROPERTY_ID id,
    BITS_JOB_PROPERTY_VALUE value)
{
    if ((void *)This != (void *)&job)
        return E_UNEXPECTED;
    if ((unsigned)id >= MAX_PROPERTY)
        return BG_E_UNKNOWN_PROPERTY_ID;
    recorded[id].id = id;
    memcpy(recorded[id].bytes, &value, sizeof value);
    InterlockedIncrement(&recorded[id].set);
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE jobGetProperty(IBackgroundCopyJob5 *This, BITS_JOB_PROPERTY_ID id,
    BITS_JOB_PROPERTY_VALUE *value)
{
    if ((void *)This != (void *)&job)
        return E_UNEXPECTED;
    if (!value)
        return E_INVALIDARG;
    if ((unsigned)id >= MAX_PROPERTY || !recorded[id].set)
        return BG_E_UNKNOWN_PROPERTY_ID;
    memcpy(value, recorded[id].bytes, sizeof *value);
    return S_OK;
}

/* The file: IBackgroundCopyFile. */
static IBackgroundCopyFileVtbl fileVtbl;
static Fake file = {&fileVtbl, 1, 0};

static HRESULT STDMETHODCALLTYPE fileQI(IBackgroundCopyFile *This, REFIID riid, void **ppv)
{
    static const IID *const iids[] = {&IID_IBackgroundCopyFile, NULL};
    return answer(This, riid, ppv, iids);
}

static HRESULT STDMETHODCALLTYPE fileGetRemoteName(IBackgroundCopyFile *This, LPWSTR *name)
{
    *name = dupString(L"http://abi.example/remote.bin");
    return *name ? S_OK : E_OUTOFMEMORY;
}

static HRESULT STDMETHODCALLTYPE fileGetLocalName(IBackgroundCopyFile *This, LPWSTR *name)
{
    *name = dupString(L"C:\\abi\\local.bin");
    return *name ? S_OK : E_OUTOFMEMORY;
}

/* The error: IBackgroundCopyError. */
static IBackgroundCopyErrorVtbl errorVtbl;
static Fake error = {&errorVtbl, 1, 0};

static HRESULT STDMETHODCALLTYPE errorQI(IBackgroundCopyError *This, REFIID riid, void **ppv)
{
    static const IID *const iids[] = {&IID_IBackgroundCopyError, NULL};
    return answer(This, riid, ppv, iids);
}

static HRESULT STDMETHODCALLTYPE errorGetError(IBackgroundCopyError *This, BG_ERROR_CONTEXT *ctx, HRESULT *code)
{
    *ctx = BG_ERROR_CONTEXT_REMOTE_FILE;
    *code = BG_E_HTTP_ERROR_404;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE errorGetFile(IBackgroundCopyError *This, IBackgroundCopyFile **f)
{
    fakeAddRef(&file);
    *f = (IBackgroundCopyFile *)&file;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE errorGetErrorDescription(IBackgroundCopyError *This, DWORD lang, LPWSTR *s)
{
    *s = dupString(L"abi: not found");
    return *s ? S_OK : E_OUTOFMEMORY;
}

static HRESULT STDMETHODCALLTYPE errorGetProtocol(IBackgroundCopyError *This, LPWSTR *s)
{
    *s = dupString(L"http");
    return *s ? S_OK : E_OUTOFMEMORY;
}

static void init(void)
{
    static LONG done;
    if (InterlockedCompareExchange(&done, 1, 0) != 0)
        return;
    fillNotImpl(&jobVtbl, sizeof jobVtbl);
    jobVtbl.QueryInterface = jobQI;
    jobVtbl.AddRef = (void *)fakeAddRef;
    jobVtbl.Release = (void *)fakeRelease;
    jobVtbl.GetId = jobGetId;
    jobVtbl.SetProperty = jobSetProperty;
    jobVtbl.GetProperty = jobGetProperty;

    fillNotImpl(&fileVtbl, sizeof fileVtbl);
    fileVtbl.QueryInterface = fileQI;
    fileVtbl.AddRef = (void *)fakeAddRef;
    fileVtbl.Release = (void *)fakeRelease;
    fileVtbl.GetRemoteName = fileGetRemoteName;
    fileVtbl.GetLocalName = fileGetLocalName;

    fillNotImpl(&errorVtbl, sizeof errorVtbl);
    errorVtbl.QueryInterface = errorQI;
    errorVtbl.AddRef = (void *)fakeAddRef;
    errorVtbl.Release = (void *)fakeRelease;
    errorVtbl.GetError = errorGetError;
    errorVtbl.GetFile = errorGetFile;
    errorVtbl.GetErrorDescription = errorGetErrorDescription;
    errorVtbl.GetProtocol = errorGetProtocol;
}

/* ---- exports ------------------------------------------------------------ */

/* AbiNewJob returns the stand-in job with a reference for the caller. */
ABI_EXPORT HRESULT AbiNewJob(IUnknown **out)
{
    init();
    if (!out)
        return E_POINTER;
    fakeAddRef(&job);
    *out = (IUnknown *)&job;
    return S_OK;
}

/* AbiRecorded copies the bytes the last SetProperty(id) received into
 * out[16] and returns how many times SetProperty(id) was called; *gotID is
 * the ID as the callee saw it. */
ABI_EXPORT LONG AbiRecorded(DWORD id, unsigned char *out, DWORD *gotID)
{
    if (id >= MAX_PROPERTY)
        return 0;
    memcpy(out, recorded[id].bytes, sizeof recorded[id].bytes);
    *gotID = (DWORD)recorded[id].id;
    return recorded[id].set;
}

/* AbiPropertySize is sizeof(BITS_JOB_PROPERTY_VALUE) and its alignment. */
ABI_EXPORT DWORD AbiPropertySize(DWORD *align)
{
    *align = (DWORD)__alignof__(BITS_JOB_PROPERTY_VALUE);
    return (DWORD)sizeof(BITS_JOB_PROPERTY_VALUE);
}

/* AbiCallbackReport is what AbiDriveCallback saw; the Go test declares the
 * same layout. */
typedef struct AbiCallbackReport {
    HRESULT qi[5];        /* IUnknown, Callback, Callback2, Callback3, IBackgroundCopyJob (refused) */
    INT32 identity[5];    /* 1: the pointer returned was the object itself; 2: *ppv was NULL */
    ULONG addRef[2];      /* what two AddRefs returned */
    ULONG release[2];     /* what two Releases returned */
    HRESULT calls[5];     /* JobTransferred, JobError, JobModification, FileTransferred, FileRangesTransferred */
    LONG refs[3];         /* job, error, file reference counts after the calls */
    INT32 overReleased;   /* a stand-in was released more than it was referenced */
} AbiCallbackReport;

/* AbiDriveCallback calls the callback object obj through its vtables. The
 * methods are called only through interfaces QueryInterface granted. */
ABI_EXPORT HRESULT AbiDriveCallback(IUnknown *obj, AbiCallbackReport *r)
{
    static const IID *const iids[5] = {&IID_IUnknown, &IID_IBackgroundCopyCallback,
        &IID_IBackgroundCopyCallback2, &IID_AbiCallback3, &IID_IBackgroundCopyJob};
    void *itf[5] = {0};
    BG_FILE_RANGE ranges[2] = {{0, 100}, {4096, BG_LENGTH_TO_EOF}};

    init();
    if (!obj || !r)
        return E_POINTER;
    memset(r, 0, sizeof *r);
    r->addRef[0] = obj->lpVtbl->AddRef(obj);
    r->addRef[1] = obj->lpVtbl->AddRef(obj);
    r->release[0] = obj->lpVtbl->Release(obj);
    r->release[1] = obj->lpVtbl->Release(obj);
    for (int i = 0; i < 5; i++) {
        void *p = (void *)(UINT_PTR)0xBADC0FFEE;
        r->qi[i] = obj->lpVtbl->QueryInterface(obj, iids[i], &p);
        if (SUCCEEDED(r->qi[i])) {
            r->identity[i] = p == (void *)obj ? 1 : 0;
            itf[i] = p;
        } else {
            r->identity[i] = p == NULL ? 2 : 0;
        }
    }

    IBackgroundCopyJob *j = (IBackgroundCopyJob *)&job;
    IBackgroundCopyFile *f = (IBackgroundCopyFile *)&file;
    IBackgroundCopyError *e = (IBackgroundCopyError *)&error;
    for (int i = 0; i < 5; i++)
        r->calls[i] = E_NOINTERFACE;
    if (itf[1]) {
        IBackgroundCopyCallback *cb = itf[1];
        r->calls[0] = cb->lpVtbl->JobTransferred(cb, j);
        r->calls[1] = cb->lpVtbl->JobError(cb, j, e);
        r->calls[2] = cb->lpVtbl->JobModification(cb, j, 0);
    }
    if (itf[2]) {
        IBackgroundCopyCallback2 *cb2 = itf[2];
        r->calls[3] = cb2->lpVtbl->FileTransferred(cb2, j, f);
    }
    if (itf[3]) {
        AbiCallback3 *cb3 = itf[3];
        r->calls[4] = cb3->lpVtbl->FileRangesTransferred(cb3, j, f, 2, ranges);
    }
    for (int i = 0; i < 5; i++)
        if (itf[i])
            ((IUnknown *)itf[i])->lpVtbl->Release((IUnknown *)itf[i]);
    r->refs[0] = job.refs;
    r->refs[1] = error.refs;
    r->refs[2] = file.refs;
    r->overReleased = job.overReleased | error.overReleased | file.overReleased;
    return S_OK;
}

/* AbiOverReleased reports whether any stand-in was released more often
 * than it was referenced, at any time so far. */
ABI_EXPORT INT32 AbiOverReleased(void)
{
    return job.overReleased | error.overReleased | file.overReleased;
}
