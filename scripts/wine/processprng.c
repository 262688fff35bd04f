/*
 * bcryptprimitives.dll for Wine 8.0: exports ProcessPrng, which the Go
 * runtime (Go 1.22 and later) imports on Windows and Wine 8.0 lacks.
 *
 * ProcessPrng fills a buffer with cryptographically random bytes and always
 * returns TRUE. We build it on advapi32!SystemFunction036 (RtlGenRandom),
 * which Wine implements, in chunks because RtlGenRandom takes a ULONG size.
 *
 * Build: x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll \
 *            processprng.c processprng.def -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size)
{
    while (size > 0) {
        ULONG chunk = size > 0x40000000 ? 0x40000000 : (ULONG)size;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        size -= chunk;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance; (void)reason; (void)reserved;
    return TRUE;
}
