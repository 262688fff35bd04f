/*
 * bits5ps_extra.h: declarations widl's proxy code expects from Wine's own
 * headers and mingw-w64 lacks, force-included (-include) into the proxy's
 * sources. The IUnknown proxies are rpcrt4.dll's exports.
 */
#include <unknwn.h>

HRESULT STDMETHODCALLTYPE IUnknown_QueryInterface_Proxy(IUnknown *This, REFIID riid, void **ppvObject);
ULONG STDMETHODCALLTYPE IUnknown_AddRef_Proxy(IUnknown *This);
ULONG STDMETHODCALLTYPE IUnknown_Release_Proxy(IUnknown *This);
