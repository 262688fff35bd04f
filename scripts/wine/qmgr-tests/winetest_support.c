/* __wine_dbg_strdup for wine/test.h outside Wine's tree: Wine's ntdll
 * exports it, mingw's import library does not. A ring of buffers, as
 * Wine's own keeps the strings the debug helpers return valid for a
 * while. */
#include <string.h>
#include <windows.h>

const char * __cdecl __wine_dbg_strdup(const char *str)
{
    static char ring[32][1024];
    static LONG next;
    char *buf = ring[(ULONG)InterlockedIncrement(&next) % 32];
    size_t n = strlen(str);
    if (n >= sizeof ring[0]) n = sizeof ring[0] - 1;
    memcpy(buf, str, n);
    buf[n] = 0;
    return buf;
}
