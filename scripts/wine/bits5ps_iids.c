/*
 * bits5ps_iids.c: IID_IBackgroundCopyJob4, the base interface the Job5
 * proxy delegates to (qmgrprxy.dll marshals it), is in no import library.
 */
#include <initguid.h>
DEFINE_GUID(IID_IBackgroundCopyJob4, 0x659cdeae, 0x489e, 0x11d9, 0xa9, 0xcd, 0x00, 0x0d, 0x56, 0x96, 0x52, 0x51);
