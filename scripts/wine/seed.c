/*
 * seed.c: the seed page's central case ("Registering a COM Callback"),
 * played by an unmodified BITS client in C against whatever serves
 * CLSID_BackgroundCopyManager (under a Wine takeover: bitssim-comserver):
 *
 *   1. process A (this program, "holder" mode) registers a callback
 *      object on a job with SetNotifyInterface;
 *   2. process B (this program) sets the job's notification CLSID
 *      (IBackgroundCopyJob5::SetProperty, BITS_JOB_PROPERTY_NOTIFICATION_CLSID);
 *   3. A is killed (TerminateProcess);
 *   4. B resumes the job: BITS finds A's object dead and activates the
 *      CLSID, whose instance (this program, "notifier" mode, started by
 *      COM) receives JobTransferred, records it and calls Complete.
 *
 * B passes when the job reaches ACKNOWLEDGED and the notifier recorded
 * JobTransferred for it. Exit status 0 on success, 1 on a failed check,
 * 2 on a set-up error.
 *
 * Usage: seed.exe [--clsid {MANAGER-CLSID}] MARKER-FILE
 *        seed.exe survivor              (creates a SUSPENDED job with the
 *                                        CLSID, prints its GUID)
 *        seed.exe check-survivor GUID   (after a service restart: is it
 *                                        still there, CLSID and all?)
 *        (seed.exe holder JOB-GUID and seed.exe notifier MARKER-FILE are
 *        its own helper modes.)
 *
 * Build: x86_64-w64-mingw32-gcc -O2 -o seed.exe seed.c -lole32 -loleaut32 -luuid -ladvapi32
 */
#define COBJMACROS
#define INITGUID
#include <windows.h>
#include <objbase.h>
#include <stdio.h>
#include <wchar.h>
#include <bits.h>
#include <bits5_0.h>

/* The notification class of the test: served by "seed.exe notifier". */
DEFINE_GUID(CLSID_SeedNotifier, 0x6a3c2f10, 0x5d1e, 0x4c8b, 0x9f, 0x2a, 0x1b, 0x7e, 0x44, 0x0c, 0x9d, 0x51);
static const WCHAR notifier_key[] = L"Software\\Classes\\CLSID\\{6A3C2F10-5D1E-4C8B-9F2A-1B7E440C9D51}";

#define CHECK(what, hr) do { HRESULT _h = (hr); if (FAILED(_h)) { \
    fprintf(stderr, "seed: %s failed: 0x%08lx\n", what, (unsigned long)_h); return 2; } } while (0)

/* ---- a callback object ------------------------------------------------ */

typedef struct {
    IBackgroundCopyCallback iface;
    LONG refs;
    const WCHAR *marker; /* notifier mode: where JobTransferred is recorded */
    HANDLE released;     /* set when the last reference goes */
} Callback;

static Callback *impl(IBackgroundCopyCallback *iface) { return (Callback *)iface; }

static HRESULT STDMETHODCALLTYPE cb_QueryInterface(IBackgroundCopyCallback *iface, REFIID riid, void **ppv)
{
    if (!ppv) return E_POINTER;
    *ppv = NULL;
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IBackgroundCopyCallback)) {
        *ppv = iface;
        IBackgroundCopyCallback_AddRef(iface);
        return S_OK;
    }
    return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE cb_AddRef(IBackgroundCopyCallback *iface)
{
    return InterlockedIncrement(&impl(iface)->refs);
}

static ULONG STDMETHODCALLTYPE cb_Release(IBackgroundCopyCallback *iface)
{
    Callback *c = impl(iface);
    LONG n = InterlockedDecrement(&c->refs);
    if (n == 0 && c->released) SetEvent(c->released);
    return n;
}

static HRESULT STDMETHODCALLTYPE cb_JobTransferred(IBackgroundCopyCallback *iface, IBackgroundCopyJob *job)
{
    Callback *c = impl(iface);
    GUID id;
    WCHAR sid[40] = L"?";
    if (SUCCEEDED(IBackgroundCopyJob_GetId(job, &id))) StringFromGUID2(&id, sid, 40);
    if (c->marker) {
        FILE *f = _wfopen(c->marker, L"a");
        if (f) {
            fwprintf(f, L"JobTransferred %ls pid %lu\n", sid, (unsigned long)GetCurrentProcessId());
            fclose(f);
        }
    }
    /* As the documentation's sample does: complete the job from the callback. */
    return IBackgroundCopyJob_Complete(job);
}

static HRESULT STDMETHODCALLTYPE cb_JobError(IBackgroundCopyCallback *iface, IBackgroundCopyJob *job, IBackgroundCopyError *err)
{
    (void)iface; (void)job; (void)err;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE cb_JobModification(IBackgroundCopyCallback *iface, IBackgroundCopyJob *job, DWORD reserved)
{
    (void)iface; (void)job; (void)reserved;
    return S_OK;
}

static IBackgroundCopyCallbackVtbl callback_vtbl = {
    cb_QueryInterface, cb_AddRef, cb_Release, cb_JobTransferred, cb_JobError, cb_JobModification,
};

/* ---- the notifier's class factory ----------------------------------- */

static const WCHAR *factory_marker;
static HANDLE factory_released;
static LONG instances;

static HRESULT STDMETHODCALLTYPE cf_QueryInterface(IClassFactory *iface, REFIID riid, void **ppv)
{
    if (!ppv) return E_POINTER;
    *ppv = NULL;
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IClassFactory)) {
        *ppv = iface;
        return S_OK;
    }
    return E_NOINTERFACE;
}
static ULONG STDMETHODCALLTYPE cf_AddRef(IClassFactory *iface) { (void)iface; return 2; }
static ULONG STDMETHODCALLTYPE cf_Release(IClassFactory *iface) { (void)iface; return 1; }

static HRESULT STDMETHODCALLTYPE cf_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **ppv)
{
    Callback *c;
    HRESULT hr;
    (void)iface;
    if (outer) return CLASS_E_NOAGGREGATION;
    c = calloc(1, sizeof(*c));
    if (!c) return E_OUTOFMEMORY;
    c->iface.lpVtbl = &callback_vtbl;
    c->refs = 1;
    c->marker = factory_marker;
    c->released = factory_released;
    InterlockedIncrement(&instances);
    hr = cb_QueryInterface(&c->iface, riid, ppv);
    cb_Release(&c->iface);
    return hr;
}

static HRESULT STDMETHODCALLTYPE cf_LockServer(IClassFactory *iface, BOOL lock)
{
    (void)iface; (void)lock;
    return S_OK;
}

static IClassFactoryVtbl factory_vtbl = {
    cf_QueryInterface, cf_AddRef, cf_Release, cf_CreateInstance, cf_LockServer,
};
static IClassFactory factory = { &factory_vtbl };

/* notifier: serve CLSID_SeedNotifier until an instance has come and gone. */
static int notifier(const WCHAR *marker)
{
    DWORD cookie;
    factory_marker = marker;
    factory_released = CreateEventW(NULL, FALSE, FALSE, NULL);
    CHECK("CoRegisterClassObject", CoRegisterClassObject(&CLSID_SeedNotifier, (IUnknown *)&factory,
                                                         CLSCTX_LOCAL_SERVER, REGCLS_MULTIPLEUSE, &cookie));
    WaitForSingleObject(factory_released, 120000);
    Sleep(1000); /* let the call that released it return */
    CoRevokeClassObject(cookie);
    return 0;
}

/* ---- holder: process A -------------------------------------------------- */

static int holder(const WCHAR *jobid)
{
    IBackgroundCopyManager *mgr;
    IBackgroundCopyJob *job;
    GUID id;
    Callback *c = calloc(1, sizeof(*c));
    CHECK("CLSIDFromString(job)", CLSIDFromString(jobid, &id));
    CHECK("CoCreateInstance(manager)", CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER,
                                                        &IID_IBackgroundCopyManager, (void **)&mgr));
    CHECK("GetJob", IBackgroundCopyManager_GetJob(mgr, &id, &job));
    c->iface.lpVtbl = &callback_vtbl;
    c->refs = 1;
    CHECK("SetNotifyInterface", IBackgroundCopyJob_SetNotifyInterface(job, (IUnknown *)&c->iface));
    printf("ready\n");
    fflush(stdout);
    Sleep(INFINITE); /* until B kills this process */
    return 0;
}

/* ---- B: the test ------------------------------------------------------- */

static int register_notifier(const WCHAR *marker)
{
    WCHAR exe[MAX_PATH], cmd[3 * MAX_PATH];
    HKEY key, server;
    GetModuleFileNameW(NULL, exe, MAX_PATH);
    swprintf(cmd, sizeof(cmd) / sizeof(cmd[0]), L"\"%ls\" notifier \"%ls\"", exe, marker);
    if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, notifier_key, 0, NULL, 0, KEY_WRITE, NULL, &key, NULL)) return 0;
    RegSetValueExW(key, NULL, 0, REG_SZ, (const BYTE *)L"seed notifier", sizeof(L"seed notifier"));
    if (RegCreateKeyExW(key, L"LocalServer32", 0, NULL, 0, KEY_WRITE, NULL, &server, NULL)) return 0;
    RegSetValueExW(server, NULL, 0, REG_SZ, (const BYTE *)cmd, (DWORD)((wcslen(cmd) + 1) * sizeof(WCHAR)));
    RegCloseKey(server);
    RegCloseKey(key);
    return 1;
}

static int count_transferred(const WCHAR *marker, const WCHAR *jobid)
{
    WCHAR line[512];
    int n = 0;
    FILE *f = _wfopen(marker, L"r");
    if (!f) return 0;
    while (fgetws(line, 512, f))
        if (wcsstr(line, L"JobTransferred") && wcsstr(line, jobid)) n++;
    fclose(f);
    return n;
}

static int test(const CLSID *manager, const WCHAR *marker)
{
    IBackgroundCopyManager *mgr;
    IBackgroundCopyJob *job;
    IBackgroundCopyJob5 *job5;
    BITS_JOB_PROPERTY_VALUE value, back;
    GUID id;
    WCHAR jobid[40], exe[MAX_PATH], cmd[2 * MAX_PATH];
    STARTUPINFOW si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
    HANDLE rd, wr;
    char buf[64];
    DWORD got, i;
    BG_JOB_STATE state = BG_JOB_STATE_QUEUED;

    DeleteFileW(marker);
    if (!register_notifier(marker)) { fprintf(stderr, "seed: cannot register the notifier class\n"); return 2; }
    CHECK("CoCreateInstance(manager)", CoCreateInstance(manager, NULL, CLSCTX_LOCAL_SERVER,
                                                        &IID_IBackgroundCopyManager, (void **)&mgr));
    CHECK("CreateJob", IBackgroundCopyManager_CreateJob(mgr, L"seed", BG_JOB_TYPE_DOWNLOAD, &id, &job));
    StringFromGUID2(&id, jobid, 40);
    CHECK("AddFile", IBackgroundCopyJob_AddFile(job, L"https://example.invalid/seed.bin", L"C:\\seed\\seed.bin"));
    CHECK("SetNotifyFlags", IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR));

    /* 1. A registers its callback object. */
    GetModuleFileNameW(NULL, exe, MAX_PATH);
    swprintf(cmd, sizeof(cmd) / sizeof(cmd[0]), L"\"%ls\" holder %ls", exe, jobid);
    if (!CreatePipe(&rd, &wr, &sa, 0)) return 2;
    SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdOutput = wr;
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    if (!CreateProcessW(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
        fprintf(stderr, "seed: CreateProcess(holder): %lu\n", GetLastError());
        return 2;
    }
    CloseHandle(wr);
    if (!ReadFile(rd, buf, sizeof(buf) - 1, &got, NULL) || got < 5 || strncmp(buf, "ready", 5)) {
        fprintf(stderr, "seed: the holder did not register its object\n");
        TerminateProcess(pi.hProcess, 1);
        return 2;
    }
    printf("seed: A (pid %lu) registered its callback object on job %ls\n", pi.dwProcessId, jobid);

    /* 2. B sets the notification CLSID. */
    CHECK("QueryInterface(IBackgroundCopyJob5)", IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob5, (void **)&job5));
    memset(&value, 0, sizeof(value));
    value.ClsID = CLSID_SeedNotifier;
    CHECK("SetProperty(NOTIFICATION_CLSID)", IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_NOTIFICATION_CLSID, value));
    memset(&back, 0, sizeof(back));
    CHECK("GetProperty(NOTIFICATION_CLSID)", IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_NOTIFICATION_CLSID, &back));
    if (!IsEqualGUID(&back.ClsID, &CLSID_SeedNotifier)) {
        fprintf(stderr, "seed: FAIL: GetProperty(NOTIFICATION_CLSID) did not return the CLSID set\n");
        return 1;
    }
    printf("seed: B set the notification CLSID (and read it back)\n");

    /* 3. A dies. */
    TerminateProcess(pi.hProcess, 9);
    WaitForSingleObject(pi.hProcess, 10000);
    printf("seed: A killed\n");

    /* 4. B resumes; the CLSID's instance must get JobTransferred and complete the job. */
    CHECK("Resume", IBackgroundCopyJob_Resume(job));
    for (i = 0; i < 600; i++) {
        CHECK("GetState", IBackgroundCopyJob_GetState(job, &state));
        if (state == BG_JOB_STATE_ACKNOWLEDGED || state == BG_JOB_STATE_ERROR || state == BG_JOB_STATE_CANCELLED) break;
        Sleep(100);
    }
    if (state != BG_JOB_STATE_ACKNOWLEDGED) {
        fprintf(stderr, "seed: FAIL: the job is in state %d, not ACKNOWLEDGED (%d), after 60 s\n", state, BG_JOB_STATE_ACKNOWLEDGED);
        return 1;
    }
    if (count_transferred(marker, jobid) < 1) {
        fprintf(stderr, "seed: FAIL: the job is ACKNOWLEDGED but the CLSID instance recorded no JobTransferred\n");
        return 1;
    }
    printf("seed: PASS: the CLSID instance got JobTransferred for %ls and completed the job\n", jobid);
    IBackgroundCopyJob5_Release(job5);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(mgr);
    return 0;
}

/* ---- the restart proof: a job to keep, and the check after the restart ---- */

static int survivor(void)
{
    IBackgroundCopyManager *mgr;
    IBackgroundCopyJob *job;
    IBackgroundCopyJob5 *job5;
    BITS_JOB_PROPERTY_VALUE value;
    GUID id;
    WCHAR sid[40];
    CHECK("CoCreateInstance(manager)", CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER,
                                                        &IID_IBackgroundCopyManager, (void **)&mgr));
    CHECK("CreateJob", IBackgroundCopyManager_CreateJob(mgr, L"survivor", BG_JOB_TYPE_DOWNLOAD, &id, &job));
    CHECK("AddFile", IBackgroundCopyJob_AddFile(job, L"https://example.invalid/survivor.bin", L"C:\\seed\\survivor.bin"));
    CHECK("QueryInterface(IBackgroundCopyJob5)", IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob5, (void **)&job5));
    memset(&value, 0, sizeof(value));
    value.ClsID = CLSID_SeedNotifier;
    CHECK("SetProperty(NOTIFICATION_CLSID)", IBackgroundCopyJob5_SetProperty(job5, BITS_JOB_PROPERTY_NOTIFICATION_CLSID, value));
    StringFromGUID2(&id, sid, 40);
    wprintf(L"%ls\n", sid);
    return 0;
}

/* After a service restart the SUSPENDED job is still there, with its
 * notification CLSID (PERSIST-CLSID) and its state. */
static int check_survivor(const WCHAR *jobid)
{
    IBackgroundCopyManager *mgr;
    IBackgroundCopyJob *job;
    IBackgroundCopyJob5 *job5;
    BITS_JOB_PROPERTY_VALUE value;
    BG_JOB_STATE state;
    LPWSTR name = NULL;
    GUID id;
    CHECK("CLSIDFromString(job)", CLSIDFromString(jobid, &id));
    CHECK("CoCreateInstance(manager)", CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER,
                                                        &IID_IBackgroundCopyManager, (void **)&mgr));
    if (FAILED(IBackgroundCopyManager_GetJob(mgr, &id, &job))) {
        fprintf(stderr, "seed: FAIL: the job did not survive the restart\n");
        return 1;
    }
    CHECK("GetState", IBackgroundCopyJob_GetState(job, &state));
    CHECK("GetDisplayName", IBackgroundCopyJob_GetDisplayName(job, &name));
    CHECK("QueryInterface(IBackgroundCopyJob5)", IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob5, (void **)&job5));
    memset(&value, 0, sizeof(value));
    CHECK("GetProperty(NOTIFICATION_CLSID)", IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_NOTIFICATION_CLSID, &value));
    if (state != BG_JOB_STATE_SUSPENDED || wcscmp(name, L"survivor") || !IsEqualGUID(&value.ClsID, &CLSID_SeedNotifier)) {
        fprintf(stderr, "seed: FAIL: after the restart: state %d (want SUSPENDED, 3), name %ls, CLSID %s\n", state, name,
                IsEqualGUID(&value.ClsID, &CLSID_SeedNotifier) ? "kept" : "lost");
        return 1;
    }
    CoTaskMemFree(name);
    printf("seed: PASS: after the restart the job is SUSPENDED, named survivor, with its notification CLSID\n");
    return 0;
}

int wmain(int argc, WCHAR **argv)
{
    CLSID manager = CLSID_BackgroundCopyManager;
    int a = 1, rc;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    CoInitializeSecurity(NULL, -1, NULL, NULL, RPC_C_AUTHN_LEVEL_CONNECT, RPC_C_IMP_LEVEL_IMPERSONATE,
                         NULL, EOAC_NONE, NULL);
    if (argc == 3 && !wcscmp(argv[1], L"holder")) return holder(argv[2]);
    if (argc >= 3 && !wcscmp(argv[1], L"notifier")) return notifier(argv[2]);
    if (argc == 2 && !wcscmp(argv[1], L"survivor")) return survivor();
    if (argc == 3 && !wcscmp(argv[1], L"check-survivor")) return check_survivor(argv[2]);
    if (argc >= 3 && !wcscmp(argv[1], L"--clsid")) {
        if (FAILED(CLSIDFromString(argv[2], &manager))) { fprintf(stderr, "seed: bad --clsid\n"); return 2; }
        a = 3;
    }
    if (argc != a + 1) {
        fprintf(stderr, "usage: seed.exe [--clsid {MANAGER-CLSID}] MARKER-FILE\n");
        return 2;
    }
    rc = test(&manager, argv[a]);
    CoUninitialize();
    return rc;
}
