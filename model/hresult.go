package model

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// HRESULT is a COM status code, as returned by every BITS method and passed
// to IBackgroundCopyCallback::JobError through IBackgroundCopyError::GetError.
//
// The high bit is the severity (set: failure), bits 16..28 the facility and
// the low 16 bits the code. BITS codes use FACILITY_BACKGROUNDCOPY (0x20),
// HTTP status codes captured by BITS use FACILITY_HTTP (0x19) and Win32 errors
// converted with HRESULT_FROM_WIN32 use FACILITY_WIN32 (7).
//
// HRESULT implements error, so a method that fails returns one directly or
// wrapped, and errors.Is(err, BG_E_INVALID_STATE) and errors.As work through
// fmt.Errorf("...: %w", ...) chains. Its String method returns the Windows
// name (BG_E_INVALID_STATE) and its Error method the name, value and message.
// It marshals to text (and thus JSON) as its name, or as 0x%08X when the code
// has no name.
type HRESULT uint32

// Generic COM HRESULTs (winerror.h).
const (
	// S_OK: the operation succeeded.
	S_OK HRESULT = 0x00000000
	// S_FALSE: the operation succeeded and returned false.
	S_FALSE HRESULT = 0x00000001
	// E_PENDING: the data needed to complete the operation is not yet available.
	E_PENDING HRESULT = 0x8000000A
	// E_UNEXPECTED: catastrophic failure.
	E_UNEXPECTED HRESULT = 0x8000FFFF
	// E_NOTIMPL: not implemented.
	E_NOTIMPL HRESULT = 0x80004001
	// E_NOINTERFACE: no such interface supported.
	E_NOINTERFACE HRESULT = 0x80004002
	// E_POINTER: invalid pointer.
	E_POINTER HRESULT = 0x80004003
	// E_FAIL: unspecified error.
	E_FAIL HRESULT = 0x80004005
	// RPC_E_SERVER_DIED: the server disappeared; the call may have executed.
	RPC_E_SERVER_DIED HRESULT = 0x80010007
	// RPC_E_SERVER_DIED_DNE: the server disappeared; the call did not execute.
	RPC_E_SERVER_DIED_DNE HRESULT = 0x80010012
	// RPC_E_DISCONNECTED: the object invoked has disconnected from its clients.
	RPC_E_DISCONNECTED HRESULT = 0x80010108
	// CLASS_E_NOAGGREGATION: the class does not support aggregation.
	CLASS_E_NOAGGREGATION HRESULT = 0x80040110
	// REGDB_E_CLASSNOTREG: the class is not registered.
	REGDB_E_CLASSNOTREG HRESULT = 0x80040154
	// CO_E_OBJNOTCONNECTED: the object is not connected to the server.
	CO_E_OBJNOTCONNECTED HRESULT = 0x800401FD
	// CO_E_SERVER_EXEC_FAILURE: server execution failed.
	CO_E_SERVER_EXEC_FAILURE HRESULT = 0x80080005
)

// HRESULTs in FACILITY_WIN32, that is HRESULT_FROM_WIN32 of a Win32 error.
//
// Windows names HRESULTs for only a few Win32 errors (E_ACCESSDENIED,
// E_OUTOFMEMORY, E_INVALIDARG). The RPC_S_* and RPC_X_* constants here are the
// HRESULT forms of the Win32 RPC errors of the same name, spelled as BITS
// documentation and COM diagnostics do; HRESULT_FROM_WIN32_ERROR_SERVICE_DISABLED
// is HRESULT_FROM_WIN32(ERROR_SERVICE_DISABLED) and prints as that.
const (
	// E_ACCESSDENIED: access is denied (HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED)).
	E_ACCESSDENIED HRESULT = 0x80070005
	// E_OUTOFMEMORY: not enough memory (HRESULT_FROM_WIN32(ERROR_OUTOFMEMORY)).
	E_OUTOFMEMORY HRESULT = 0x8007000E
	// E_INVALIDARG: the parameter is incorrect (HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER)).
	E_INVALIDARG HRESULT = 0x80070057
	// HRESULT_FROM_WIN32_ERROR_SERVICE_DISABLED is
	// HRESULT_FROM_WIN32(ERROR_SERVICE_DISABLED), Win32 error 1058: the BITS
	// service is disabled. Windows has no HRESULT name for it; its String is
	// "HRESULT_FROM_WIN32(ERROR_SERVICE_DISABLED)" and ParseHRESULT accepts
	// both that and the Go identifier.
	HRESULT_FROM_WIN32_ERROR_SERVICE_DISABLED HRESULT = 0x80070422
	// RPC_S_SERVER_UNAVAILABLE: the RPC server is unavailable (Win32 1722).
	RPC_S_SERVER_UNAVAILABLE HRESULT = 0x800706BA
	// RPC_S_CALL_FAILED: the remote procedure call failed (Win32 1726).
	RPC_S_CALL_FAILED HRESULT = 0x800706BE
	// RPC_S_CALL_FAILED_DNE: the remote procedure call failed and did not
	// execute (Win32 1727).
	RPC_S_CALL_FAILED_DNE HRESULT = 0x800706BF
	// RPC_X_NULL_REF_POINTER: a null reference pointer was passed to the stub
	// (Win32 1780).
	RPC_X_NULL_REF_POINTER HRESULT = 0x800706F4
	// RPC_X_BAD_STUB_DATA: the stub received bad data (Win32 1783);
	// GetClientCertificate returns it when the job has no certificate.
	RPC_X_BAD_STUB_DATA HRESULT = 0x800706F7
)

// BITS HRESULTs in FACILITY_BACKGROUNDCOPY (bitsmsg.h). See the table in this
// file, or Description, for the message of each.
const (
	// BG_E_NOT_FOUND: the requested job was not found.
	BG_E_NOT_FOUND HRESULT = 0x80200001
	// BG_E_INVALID_STATE: the requested action is not allowed in the current job state.
	BG_E_INVALID_STATE HRESULT = 0x80200002
	// BG_E_EMPTY: the job has no files.
	BG_E_EMPTY HRESULT = 0x80200003
	// BG_E_FILE_NOT_AVAILABLE: the error is not associated with a file.
	BG_E_FILE_NOT_AVAILABLE HRESULT = 0x80200004
	// BG_E_PROTOCOL_NOT_AVAILABLE: the error is not associated with a protocol.
	BG_E_PROTOCOL_NOT_AVAILABLE HRESULT = 0x80200005
	// BG_S_ERROR_CONTEXT_NONE: no errors have occurred.
	BG_S_ERROR_CONTEXT_NONE HRESULT = 0x00200006
	// BG_E_ERROR_CONTEXT_UNKNOWN: the error occurred in an unknown location.
	BG_E_ERROR_CONTEXT_UNKNOWN HRESULT = 0x80200007
	// BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER: the error occurred in the queue manager.
	BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER HRESULT = 0x80200008
	// BG_E_ERROR_CONTEXT_LOCAL_FILE: the error occurred processing the local file.
	BG_E_ERROR_CONTEXT_LOCAL_FILE HRESULT = 0x80200009
	// BG_E_ERROR_CONTEXT_REMOTE_FILE: the error occurred processing the remote file.
	BG_E_ERROR_CONTEXT_REMOTE_FILE HRESULT = 0x8020000A
	// BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT: the error occurred in the transport layer.
	BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT HRESULT = 0x8020000B
	// BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION: the error occurred in the notification callback.
	BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION HRESULT = 0x8020000C
	// BG_E_DESTINATION_LOCKED: the destination volume is locked.
	BG_E_DESTINATION_LOCKED HRESULT = 0x8020000D
	// BG_E_VOLUME_CHANGED: the destination volume has changed.
	BG_E_VOLUME_CHANGED HRESULT = 0x8020000E
	// BG_E_ERROR_INFORMATION_UNAVAILABLE: error information is only available in BG_JOB_STATE_ERROR.
	BG_E_ERROR_INFORMATION_UNAVAILABLE HRESULT = 0x8020000F
	// BG_E_NETWORK_DISCONNECTED: there are no active network connections.
	BG_E_NETWORK_DISCONNECTED HRESULT = 0x80200010
	// BG_E_MISSING_FILE_SIZE: the server did not return the file size.
	BG_E_MISSING_FILE_SIZE HRESULT = 0x80200011
	// BG_E_INSUFFICIENT_HTTP_SUPPORT: the server does not support HTTP/1.1.
	BG_E_INSUFFICIENT_HTTP_SUPPORT HRESULT = 0x80200012
	// BG_E_INSUFFICIENT_RANGE_SUPPORT: the server does not support ranges.
	BG_E_INSUFFICIENT_RANGE_SUPPORT HRESULT = 0x80200013
	// BG_E_REMOTE_NOT_SUPPORTED: remote use of BITS is not supported.
	BG_E_REMOTE_NOT_SUPPORTED HRESULT = 0x80200014
	// BG_E_NEW_OWNER_DIFF_MAPPING: the new owner's drive mapping differs.
	BG_E_NEW_OWNER_DIFF_MAPPING HRESULT = 0x80200015
	// BG_E_NEW_OWNER_NO_FILE_ACCESS: the new owner cannot access the job's files.
	BG_E_NEW_OWNER_NO_FILE_ACCESS HRESULT = 0x80200016
	// BG_S_PARTIAL_COMPLETE: Complete kept only the files that finished transferring.
	BG_S_PARTIAL_COMPLETE HRESULT = 0x00200017
	// BG_E_PROXY_LIST_TOO_LARGE: the proxy list is too long.
	BG_E_PROXY_LIST_TOO_LARGE HRESULT = 0x80200018
	// BG_E_PROXY_BYPASS_LIST_TOO_LARGE: the proxy bypass list is too long.
	BG_E_PROXY_BYPASS_LIST_TOO_LARGE HRESULT = 0x80200019
	// BG_S_UNABLE_TO_DELETE_FILES: some temporary files could not be deleted.
	BG_S_UNABLE_TO_DELETE_FILES HRESULT = 0x0020001A
	// BG_E_INVALID_SERVER_RESPONSE: the server's response was not valid.
	BG_E_INVALID_SERVER_RESPONSE HRESULT = 0x8020001B
	// BG_E_TOO_MANY_FILES: no more files can be added to the (upload) job.
	BG_E_TOO_MANY_FILES HRESULT = 0x8020001C
	// BG_E_LOCAL_FILE_CHANGED: the local file changed during the transfer.
	BG_E_LOCAL_FILE_CHANGED HRESULT = 0x8020001D
	// BG_E_ERROR_CONTEXT_REMOTE_APPLICATION: the program on the server reported the error.
	BG_E_ERROR_CONTEXT_REMOTE_APPLICATION HRESULT = 0x8020001E
	// BG_E_SESSION_NOT_FOUND: the upload session was not found on the server.
	BG_E_SESSION_NOT_FOUND HRESULT = 0x8020001F
	// BG_E_TOO_LARGE: the upload exceeds the server's maximum upload size.
	BG_E_TOO_LARGE HRESULT = 0x80200020
	// BG_E_STRING_TOO_LONG: the specified string is too long.
	BG_E_STRING_TOO_LONG HRESULT = 0x80200021
	// BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH: client and server could not agree on an upload protocol.
	BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH HRESULT = 0x80200022
	// BG_E_SERVER_EXECUTE_ENABLE: scripting or execute permissions are enabled
	// on the upload virtual directory. Microsoft's documentation spells it
	// BG_E_SERVER_EXECUTE_ENABLED, which ParseHRESULT also accepts.
	BG_E_SERVER_EXECUTE_ENABLE HRESULT = 0x80200023
	// BG_E_NO_PROGRESS: the job is not making headway.
	BG_E_NO_PROGRESS HRESULT = 0x80200024
	// BG_E_USERNAME_TOO_LARGE: the user name exceeds 300 characters.
	BG_E_USERNAME_TOO_LARGE HRESULT = 0x80200025
	// BG_E_PASSWORD_TOO_LARGE: the password exceeds 65535 characters.
	BG_E_PASSWORD_TOO_LARGE HRESULT = 0x80200026
	// BG_E_INVALID_AUTH_TARGET: the authentication target is not valid.
	BG_E_INVALID_AUTH_TARGET HRESULT = 0x80200027
	// BG_E_INVALID_AUTH_SCHEME: the authentication scheme is not valid.
	BG_E_INVALID_AUTH_SCHEME HRESULT = 0x80200028
	// BG_E_FILE_NOT_FOUND: the file name matches no file of the job.
	BG_E_FILE_NOT_FOUND HRESULT = 0x80200029
	// BG_S_PROXY_CHANGED: the proxy server was changed.
	BG_S_PROXY_CHANGED HRESULT = 0x0020002A
	// BG_E_INVALID_RANGE: the byte range is not valid.
	BG_E_INVALID_RANGE HRESULT = 0x8020002B
	// BG_E_OVERLAPPING_RANGES: the byte ranges overlap.
	BG_E_OVERLAPPING_RANGES HRESULT = 0x8020002C
)

// BITS HRESULTs mapped from WinHTTP errors (0x8020002D..0x8020003D). Later
// SDKs keep only the first two and mark the rest "reserved for future use";
// the names are those of older SDK and mingw-w64 bitsmsg.h.
const (
	// BG_E_CONNECT_FAILURE: a connection could not be established.
	BG_E_CONNECT_FAILURE HRESULT = 0x8020002D
	// BG_E_CONNECTION_CLOSED: the connection was closed prematurely.
	BG_E_CONNECTION_CLOSED HRESULT = 0x8020002E
	// BG_E_KEEP_ALIVE_FAILURE: a keep-alive connection was closed unexpectedly.
	BG_E_KEEP_ALIVE_FAILURE HRESULT = 0x8020002F
	// BG_E_MESSAGE_LENGTH_LIMIT_EXCEEDED: a message exceeded the length limit.
	BG_E_MESSAGE_LENGTH_LIMIT_EXCEEDED HRESULT = 0x80200030
	// BG_E_NAME_RESOLUTION_FAILURE: the host name could not be found.
	BG_E_NAME_RESOLUTION_FAILURE HRESULT = 0x80200031
	// BG_E_PENDING: an internal asynchronous request is pending.
	BG_E_PENDING HRESULT = 0x80200032
	// BG_E_PIPELINE_FAILURE: a pipelined request failed.
	BG_E_PIPELINE_FAILURE HRESULT = 0x80200033
	// BG_E_PROTOCOL_ERROR: the response indicated a protocol-level error.
	BG_E_PROTOCOL_ERROR HRESULT = 0x80200034
	// BG_E_PROXY_NAME_RESOLUTION_FAILURE: the proxy name could not be found.
	BG_E_PROXY_NAME_RESOLUTION_FAILURE HRESULT = 0x80200035
	// BG_E_RECEIVE_FAILURE: a complete response was not received.
	BG_E_RECEIVE_FAILURE HRESULT = 0x80200036
	// BG_E_REQUEST_CANCELED: the request was canceled.
	BG_E_REQUEST_CANCELED HRESULT = 0x80200037
	// BG_E_SECURE_CHANNEL_FAILURE: an SSL connection could not be established.
	BG_E_SECURE_CHANNEL_FAILURE HRESULT = 0x80200038
	// BG_E_SEND_FAILURE: a complete request could not be sent.
	BG_E_SEND_FAILURE HRESULT = 0x80200039
	// BG_E_SERVER_PROTOCOL_VIOLATION: the server response was not valid.
	BG_E_SERVER_PROTOCOL_VIOLATION HRESULT = 0x8020003A
	// BG_E_TIMEOUT: the operation exceeded the time limit.
	BG_E_TIMEOUT HRESULT = 0x8020003B
	// BG_E_TRUST_FAILURE: a server certificate could not be validated.
	BG_E_TRUST_FAILURE HRESULT = 0x8020003C
	// BG_E_UNKNOWN_ERROR: an unknown error occurred.
	BG_E_UNKNOWN_ERROR HRESULT = 0x8020003D
)

// BITS HRESULTs of BITS 2.0 and later (bitsmsg.h).
const (
	// BG_E_BLOCKED_BY_POLICY: Group Policy prevents jobs from running now.
	BG_E_BLOCKED_BY_POLICY HRESULT = 0x8020003E
	// BG_E_INVALID_PROXY_INFO: the proxy list or bypass list is invalid.
	BG_E_INVALID_PROXY_INFO HRESULT = 0x8020003F
	// BG_E_INVALID_CREDENTIALS: the credentials' format is not valid.
	BG_E_INVALID_CREDENTIALS HRESULT = 0x80200040
	// BG_E_INVALID_HASH_ALGORITHM: the hashing algorithm is not supported.
	BG_E_INVALID_HASH_ALGORITHM HRESULT = 0x80200041
	// BG_E_RECORD_DELETED: the cache record has been deleted.
	BG_E_RECORD_DELETED HRESULT = 0x80200042
	// BG_E_COMMIT_IN_PROGRESS: another thread is updating the cache record.
	BG_E_COMMIT_IN_PROGRESS HRESULT = 0x80200043
	// BG_E_DISCOVERY_IN_PROGRESS: the system is already searching for neighbors.
	BG_E_DISCOVERY_IN_PROGRESS HRESULT = 0x80200044
	// BG_E_UPNP_ERROR: a UPnP error has occurred.
	BG_E_UPNP_ERROR HRESULT = 0x80200045
	// BG_E_TEST_OPTION_BLOCKED_DOWNLOAD: a test option blocks the download.
	BG_E_TEST_OPTION_BLOCKED_DOWNLOAD HRESULT = 0x80200046
	// BG_E_PEERCACHING_DISABLED: peer caching is disabled.
	BG_E_PEERCACHING_DISABLED HRESULT = 0x80200047
	// BG_E_BUSYCACHERECORD: the cache record is in use.
	BG_E_BUSYCACHERECORD HRESULT = 0x80200048
	// BG_E_TOO_MANY_JOBS_PER_USER: the MaxJobsPerUser limit is exceeded.
	BG_E_TOO_MANY_JOBS_PER_USER HRESULT = 0x80200049
	// BG_E_TOO_MANY_JOBS_PER_MACHINE: the MaxJobsPerMachine limit is exceeded.
	BG_E_TOO_MANY_JOBS_PER_MACHINE HRESULT = 0x80200050
	// BG_E_TOO_MANY_FILES_IN_JOB: the MaxFilesPerJob limit is exceeded.
	BG_E_TOO_MANY_FILES_IN_JOB HRESULT = 0x80200051
	// BG_E_TOO_MANY_RANGES_IN_FILE: the MaxRangesPerFile limit is exceeded.
	BG_E_TOO_MANY_RANGES_IN_FILE HRESULT = 0x80200052
	// BG_E_VALIDATION_FAILED: the server's response failed validation.
	BG_E_VALIDATION_FAILED HRESULT = 0x80200053
	// BG_E_MAXDOWNLOAD_TIMEOUT: the job exceeded its maximum download time.
	BG_E_MAXDOWNLOAD_TIMEOUT HRESULT = 0x80200054
	// BG_S_OVERRIDDEN_BY_POLICY: the preference was saved but Group Policy overrides it.
	BG_S_OVERRIDDEN_BY_POLICY HRESULT = 0x00200055
	// BG_E_TOKEN_REQUIRED: the job's helper token is not available.
	BG_E_TOKEN_REQUIRED HRESULT = 0x80200056
	// BG_E_UNKNOWN_PROPERTY_ID: SetProperty or GetProperty got an unknown property ID.
	BG_E_UNKNOWN_PROPERTY_ID HRESULT = 0x80200057
	// BG_E_READ_ONLY_PROPERTY: SetProperty was called on a read-only property.
	BG_E_READ_ONLY_PROPERTY HRESULT = 0x80200058
	// BG_E_BLOCKED_BY_COST_TRANSFER_POLICY: the job's cost policy prevents transferring now.
	BG_E_BLOCKED_BY_COST_TRANSFER_POLICY HRESULT = 0x80200059
	// BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY: the property applies to download jobs only.
	BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY HRESULT = 0x80200060
	// BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE: the property is read-only once the job has a file.
	BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE HRESULT = 0x80200061
	// BG_E_READ_ONLY_PROPERTY_AFTER_RESUME: the property is read-only once the job was resumed.
	BG_E_READ_ONLY_PROPERTY_AFTER_RESUME HRESULT = 0x80200062
	// BG_E_MAX_DOWNLOAD_SIZE_INVALID_VALUE: the maximum download size is not valid.
	BG_E_MAX_DOWNLOAD_SIZE_INVALID_VALUE HRESULT = 0x80200063
	// BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED: the download reached the maximum download size.
	BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED HRESULT = 0x80200064
	// BG_E_STANDBY_MODE: the transfer was paused because the computer is in standby.
	BG_E_STANDBY_MODE HRESULT = 0x80200065
	// BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED: stored credentials are supported for proxies only.
	BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED HRESULT = 0x80200066
	// BG_E_BLOCKED_BY_BATTERY_POLICY: the transfer was paused because the computer runs on battery.
	BG_E_BLOCKED_BY_BATTERY_POLICY HRESULT = 0x80200067
	// BG_E_BLOCKED_BY_BATTERY_SAVER: the transfer was paused by Battery Saver.
	BG_E_BLOCKED_BY_BATTERY_SAVER HRESULT = 0x80200068
	// BG_E_WATCHDOG_TIMEOUT: an operation did not complete in the expected time.
	BG_E_WATCHDOG_TIMEOUT HRESULT = 0x80200069
	// BG_E_APP_PACKAGE_NOT_FOUND: no app package matches the job owner or caller.
	BG_E_APP_PACKAGE_NOT_FOUND HRESULT = 0x8020006A
	// BG_E_APP_PACKAGE_SCENARIO_NOT_SUPPORTED: app packages cannot use BITS on this device.
	BG_E_APP_PACKAGE_SCENARIO_NOT_SUPPORTED HRESULT = 0x8020006B
	// BG_E_DATABASE_CORRUPT: the BITS persistent state is corrupt.
	BG_E_DATABASE_CORRUPT HRESULT = 0x8020006C
	// BG_E_RANDOM_ACCESS_NOT_SUPPORTED: IBackgroundCopyFile6 methods are not supported for this transfer.
	BG_E_RANDOM_ACCESS_NOT_SUPPORTED HRESULT = 0x8020006D
	// BG_E_BLOCKED_BY_BACKGROUND_ACCESS_POLICY: the owner app's background access settings block the job.
	BG_E_BLOCKED_BY_BACKGROUND_ACCESS_POLICY HRESULT = 0x8020006E
	// BG_E_BLOCKED_BY_GAME_MODE: the job was paused by Game Mode.
	BG_E_BLOCKED_BY_GAME_MODE HRESULT = 0x8020006F
	// BG_E_BLOCKED_BY_SYSTEM_POLICY: the job was paused by system resource constraints.
	BG_E_BLOCKED_BY_SYSTEM_POLICY HRESULT = 0x80200070
	// BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD: not supported for jobs with a custom HTTP method.
	BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD HRESULT = 0x80200071
	// BG_E_UNSUPPORTED_JOB_CONFIGURATION: the job configuration does not allow the action.
	BG_E_UNSUPPORTED_JOB_CONFIGURATION HRESULT = 0x80200072
	// BG_E_REMOTE_FILE_CHANGED: the remote file changed during the transfer.
	BG_E_REMOTE_FILE_CHANGED HRESULT = 0x80200073
	// BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED: the certificate validation callback is not available.
	BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED HRESULT = 0x80200074
	// BG_E_READ_ONLY_WHEN_JOB_ACTIVE: the method needs a SUSPENDED, ERROR or TRANSFERRED job.
	BG_E_READ_ONLY_WHEN_JOB_ACTIVE HRESULT = 0x80200075
	// BG_E_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK: the error occurred in the certificate validation callback.
	BG_E_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK HRESULT = 0x80200076
)

// BITS event-log message IDs (bitsmsg.h "mc entries", 0x80194000..0x8019400B).
// They are HRESULT-shaped but are message identifiers, not method results.
const (
	// BITS_MC_JOB_CANCELLED: an administrator canceled another user's job.
	BITS_MC_JOB_CANCELLED HRESULT = 0x80194000
	// BITS_MC_FILE_DELETION_FAILED: temporary files of a canceled job could not be removed.
	BITS_MC_FILE_DELETION_FAILED HRESULT = 0x80194001
	// BITS_MC_FILE_DELETION_FAILED_MORE: as BITS_MC_FILE_DELETION_FAILED, list truncated.
	BITS_MC_FILE_DELETION_FAILED_MORE HRESULT = 0x80194002
	// BITS_MC_JOB_PROPERTY_CHANGE: an administrator modified a property of another user's job.
	BITS_MC_JOB_PROPERTY_CHANGE HRESULT = 0x80194003
	// BITS_MC_JOB_TAKE_OWNERSHIP: an administrator took ownership of a job.
	BITS_MC_JOB_TAKE_OWNERSHIP HRESULT = 0x80194004
	// BITS_MC_JOB_SCAVENGED: an inactive job was canceled.
	BITS_MC_JOB_SCAVENGED HRESULT = 0x80194005
	// BITS_MC_JOB_NOTIFICATION_FAILURE: a job failed to notify its application.
	BITS_MC_JOB_NOTIFICATION_FAILURE HRESULT = 0x80194006
	// BITS_MC_STATE_FILE_CORRUPT: the job list was unreadable and has been cleared.
	BITS_MC_STATE_FILE_CORRUPT HRESULT = 0x80194007
	// BITS_MC_FAILED_TO_START: the BITS service failed to start.
	BITS_MC_FAILED_TO_START HRESULT = 0x80194008
	// BITS_MC_FATAL_IGD_ERROR: fatal error talking to an Internet Gateway Device.
	BITS_MC_FATAL_IGD_ERROR HRESULT = 0x80194009
	// BITS_MC_PEERCACHING_PORT: the BITS peer-caching protocol (firewall port name).
	BITS_MC_PEERCACHING_PORT HRESULT = 0x8019400A
	// BITS_MC_WSD_PORT: the Web Services-Discovery protocol (firewall port name).
	BITS_MC_WSD_PORT HRESULT = 0x8019400B
)

// HTTP status codes captured by BITS: BG_E_HTTP_ERROR_nnn is 0x80190000+nnn
// (FACILITY_HTTP). These are the ones bitsmsg.h names; HTTPError builds the
// code for any status, and every status 100..599 has a name and description.
const (
	BG_E_HTTP_ERROR_100 HRESULT = 0x80190064 // HTTP 100 Continue.
	BG_E_HTTP_ERROR_101 HRESULT = 0x80190065 // HTTP 101 Switching Protocols.
	BG_E_HTTP_ERROR_200 HRESULT = 0x801900C8 // HTTP 200 OK (unexpected where BITS reports it).
	BG_E_HTTP_ERROR_201 HRESULT = 0x801900C9 // HTTP 201 Created.
	BG_E_HTTP_ERROR_202 HRESULT = 0x801900CA // HTTP 202 Accepted.
	BG_E_HTTP_ERROR_203 HRESULT = 0x801900CB // HTTP 203 Non-Authoritative Information.
	BG_E_HTTP_ERROR_204 HRESULT = 0x801900CC // HTTP 204 No Content.
	BG_E_HTTP_ERROR_205 HRESULT = 0x801900CD // HTTP 205 Reset Content.
	BG_E_HTTP_ERROR_206 HRESULT = 0x801900CE // HTTP 206 Partial Content.
	BG_E_HTTP_ERROR_300 HRESULT = 0x8019012C // HTTP 300 Multiple Choices.
	BG_E_HTTP_ERROR_301 HRESULT = 0x8019012D // HTTP 301 Moved Permanently.
	BG_E_HTTP_ERROR_302 HRESULT = 0x8019012E // HTTP 302 Found.
	BG_E_HTTP_ERROR_303 HRESULT = 0x8019012F // HTTP 303 See Other.
	BG_E_HTTP_ERROR_304 HRESULT = 0x80190130 // HTTP 304 Not Modified.
	BG_E_HTTP_ERROR_305 HRESULT = 0x80190131 // HTTP 305 Use Proxy.
	BG_E_HTTP_ERROR_307 HRESULT = 0x80190133 // HTTP 307 Temporary Redirect.
	BG_E_HTTP_ERROR_400 HRESULT = 0x80190190 // HTTP 400 Bad Request.
	BG_E_HTTP_ERROR_401 HRESULT = 0x80190191 // HTTP 401 Unauthorized.
	BG_E_HTTP_ERROR_402 HRESULT = 0x80190192 // HTTP 402 Payment Required.
	BG_E_HTTP_ERROR_403 HRESULT = 0x80190193 // HTTP 403 Forbidden.
	BG_E_HTTP_ERROR_404 HRESULT = 0x80190194 // HTTP 404 Not Found.
	BG_E_HTTP_ERROR_405 HRESULT = 0x80190195 // HTTP 405 Method Not Allowed.
	BG_E_HTTP_ERROR_406 HRESULT = 0x80190196 // HTTP 406 Not Acceptable.
	BG_E_HTTP_ERROR_407 HRESULT = 0x80190197 // HTTP 407 Proxy Authentication Required.
	BG_E_HTTP_ERROR_408 HRESULT = 0x80190198 // HTTP 408 Request Timeout.
	BG_E_HTTP_ERROR_409 HRESULT = 0x80190199 // HTTP 409 Conflict.
	BG_E_HTTP_ERROR_410 HRESULT = 0x8019019A // HTTP 410 Gone.
	BG_E_HTTP_ERROR_411 HRESULT = 0x8019019B // HTTP 411 Length Required.
	BG_E_HTTP_ERROR_412 HRESULT = 0x8019019C // HTTP 412 Precondition Failed.
	BG_E_HTTP_ERROR_413 HRESULT = 0x8019019D // HTTP 413 Request Entity Too Large.
	BG_E_HTTP_ERROR_414 HRESULT = 0x8019019E // HTTP 414 Request URI Too Long.
	BG_E_HTTP_ERROR_415 HRESULT = 0x8019019F // HTTP 415 Unsupported Media Type.
	BG_E_HTTP_ERROR_416 HRESULT = 0x801901A0 // HTTP 416 Requested Range Not Satisfiable.
	BG_E_HTTP_ERROR_417 HRESULT = 0x801901A1 // HTTP 417 Expectation Failed.
	BG_E_HTTP_ERROR_449 HRESULT = 0x801901C1 // HTTP 449 Retry With (IIS extension).
	BG_E_HTTP_ERROR_500 HRESULT = 0x801901F4 // HTTP 500 Internal Server Error.
	BG_E_HTTP_ERROR_501 HRESULT = 0x801901F5 // HTTP 501 Not Implemented.
	BG_E_HTTP_ERROR_502 HRESULT = 0x801901F6 // HTTP 502 Bad Gateway.
	BG_E_HTTP_ERROR_503 HRESULT = 0x801901F7 // HTTP 503 Service Unavailable.
	BG_E_HTTP_ERROR_504 HRESULT = 0x801901F8 // HTTP 504 Gateway Timeout.
	BG_E_HTTP_ERROR_505 HRESULT = 0x801901F9 // HTTP 505 HTTP Version Not Supported.
)

// Facility codes used by this file.
const (
	hresultFacilityWin32 = 7    // FACILITY_WIN32
	hresultFacilityHTTP  = 0x19 // FACILITY_HTTP
	hresultHTTPBase      = HRESULT(0x80000000 | hresultFacilityHTTP<<16)
	hresultHTTPMinStatus = 100
	hresultHTTPMaxStatus = 599
	hresultHTTPPrefix    = "BG_E_HTTP_ERROR_"
)

// hresultInfo is one row of hresultTable.
type hresultInfo struct {
	code HRESULT
	name string // as Windows spells it; unique
	desc string // one English sentence or two, ending in a period
}

// hresultTable names and describes every HRESULT constant of this file except
// the BG_E_HTTP_ERROR_nnn family, whose name and description are computed.
// Descriptions follow Microsoft's "BITS Return Values" page where it lists
// the code, otherwise the MessageText of bitsmsg.h / winerror.h (or, for
// Win32-derived codes, the Win32 message FormatMessage returns), lightly
// trimmed. Entries marked "own wording" have no usable Microsoft text.
var hresultTable = []hresultInfo{
	{S_OK, "S_OK", "The operation completed successfully."},
	{S_FALSE, "S_FALSE", "The operation completed successfully and returned false."}, // own wording
	{E_PENDING, "E_PENDING", "The data necessary to complete this operation is not yet available."},
	{E_UNEXPECTED, "E_UNEXPECTED", "Catastrophic failure."},
	{E_NOTIMPL, "E_NOTIMPL", "Not implemented."},
	{E_NOINTERFACE, "E_NOINTERFACE", "No such interface supported."},
	{E_POINTER, "E_POINTER", "Invalid pointer."},
	{E_FAIL, "E_FAIL", "Unspecified error."},
	{RPC_E_SERVER_DIED, "RPC_E_SERVER_DIED", "The callee (server [not server application]) is not available and disappeared; all connections are invalid. The call may have executed."},
	{RPC_E_SERVER_DIED_DNE, "RPC_E_SERVER_DIED_DNE", "The callee (server [not server application]) is not available and disappeared; all connections are invalid. The call did not execute."},
	{RPC_E_DISCONNECTED, "RPC_E_DISCONNECTED", "The object invoked has disconnected from its clients."},
	{CLASS_E_NOAGGREGATION, "CLASS_E_NOAGGREGATION", "Class does not support aggregation (or class object is remote)."},
	{REGDB_E_CLASSNOTREG, "REGDB_E_CLASSNOTREG", "Class not registered."},
	{CO_E_OBJNOTCONNECTED, "CO_E_OBJNOTCONNECTED", "Object is not connected to server."},
	{E_ACCESSDENIED, "E_ACCESSDENIED", "Access is denied."},
	{E_OUTOFMEMORY, "E_OUTOFMEMORY", "Not enough memory resources are available to complete this operation."},
	{E_INVALIDARG, "E_INVALIDARG", "The parameter is incorrect."},
	{HRESULT_FROM_WIN32_ERROR_SERVICE_DISABLED, "HRESULT_FROM_WIN32(ERROR_SERVICE_DISABLED)", "The service cannot be started, either because it is disabled or because it has no enabled devices associated with it."},
	{RPC_S_SERVER_UNAVAILABLE, "RPC_S_SERVER_UNAVAILABLE", "The RPC server is unavailable."},
	{RPC_S_CALL_FAILED, "RPC_S_CALL_FAILED", "The remote procedure call failed."},
	{RPC_S_CALL_FAILED_DNE, "RPC_S_CALL_FAILED_DNE", "The remote procedure call failed and did not execute."},
	{RPC_X_NULL_REF_POINTER, "RPC_X_NULL_REF_POINTER", "A null reference pointer was passed to the stub."},
	{RPC_X_BAD_STUB_DATA, "RPC_X_BAD_STUB_DATA", "The stub received bad data."},
	{CO_E_SERVER_EXEC_FAILURE, "CO_E_SERVER_EXEC_FAILURE", "Server execution failed."},

	{BG_E_NOT_FOUND, "BG_E_NOT_FOUND", "The requested job was not found."},
	{BG_E_INVALID_STATE, "BG_E_INVALID_STATE", "The requested action is not allowed in the current job state."},
	{BG_E_EMPTY, "BG_E_EMPTY", "The job must contain one or more files before you can resume the job."},
	{BG_E_FILE_NOT_AVAILABLE, "BG_E_FILE_NOT_AVAILABLE", "File information is not available because the error is not associated with a local or remote file."},
	{BG_E_PROTOCOL_NOT_AVAILABLE, "BG_E_PROTOCOL_NOT_AVAILABLE", "Protocol information is not available because the error is not associated with the specified transfer protocol."},
	{BG_S_ERROR_CONTEXT_NONE, "BG_S_ERROR_CONTEXT_NONE", "No errors have occurred."},
	{BG_E_ERROR_CONTEXT_UNKNOWN, "BG_E_ERROR_CONTEXT_UNKNOWN", "The error occurred in an unknown location."},
	{BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER, "BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER", "The error occurred in the Background Intelligent Transfer Service (BITS) queue manager."},
	{BG_E_ERROR_CONTEXT_LOCAL_FILE, "BG_E_ERROR_CONTEXT_LOCAL_FILE", "The error occurred while the local file was being processed."},
	{BG_E_ERROR_CONTEXT_REMOTE_FILE, "BG_E_ERROR_CONTEXT_REMOTE_FILE", "The error occurred while the remote file was being processed."},
	{BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT, "BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT", "The error occurred in the transport layer. The client could not connect to the server."},
	{BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION, "BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION", "The error occurred while the notification callback was being processed. Background Intelligent Transfer Service (BITS) will try again later."},
	{BG_E_DESTINATION_LOCKED, "BG_E_DESTINATION_LOCKED", "The destination file system volume, specified in the local file name, is locked."},
	{BG_E_VOLUME_CHANGED, "BG_E_VOLUME_CHANGED", "The destination volume, specified in the local file name, has changed."},
	{BG_E_ERROR_INFORMATION_UNAVAILABLE, "BG_E_ERROR_INFORMATION_UNAVAILABLE", "Error information is only available when the state of the job is BG_JOB_STATE_ERROR."},
	{BG_E_NETWORK_DISCONNECTED, "BG_E_NETWORK_DISCONNECTED", "The network adapter is inactive or disconnected."},
	{BG_E_MISSING_FILE_SIZE, "BG_E_MISSING_FILE_SIZE", "The server did not return the file size."},
	{BG_E_INSUFFICIENT_HTTP_SUPPORT, "BG_E_INSUFFICIENT_HTTP_SUPPORT", "The server does not support the HTTP/1.1 protocol."},
	{BG_E_INSUFFICIENT_RANGE_SUPPORT, "BG_E_INSUFFICIENT_RANGE_SUPPORT", "The server does not support the Content-Range header."},
	{BG_E_REMOTE_NOT_SUPPORTED, "BG_E_REMOTE_NOT_SUPPORTED", "Remote use of BITS is not supported."},
	{BG_E_NEW_OWNER_DIFF_MAPPING, "BG_E_NEW_OWNER_DIFF_MAPPING", "The network drive mapping for the local file is different for the current owner than for the previous owner."},
	{BG_E_NEW_OWNER_NO_FILE_ACCESS, "BG_E_NEW_OWNER_NO_FILE_ACCESS", "The new owner has insufficient permissions to the temporary job files."},
	{BG_S_PARTIAL_COMPLETE, "BG_S_PARTIAL_COMPLETE", "A subset of the job's files transferred successfully before the IBackgroundCopyJob::Complete method was called. Those that were not complete were deleted."},
	{BG_E_PROXY_LIST_TOO_LARGE, "BG_E_PROXY_LIST_TOO_LARGE", "The HTTP proxy list is too long. The list must not exceed 32 KB."},
	{BG_E_PROXY_BYPASS_LIST_TOO_LARGE, "BG_E_PROXY_BYPASS_LIST_TOO_LARGE", "The HTTP proxy bypass list is too long. The list must not exceed 32 KB."},
	{BG_S_UNABLE_TO_DELETE_FILES, "BG_S_UNABLE_TO_DELETE_FILES", "Unable to delete all temporary files associated with the job."},
	{BG_E_INVALID_SERVER_RESPONSE, "BG_E_INVALID_SERVER_RESPONSE", "The server's response was not valid. The server was not following the defined protocol."},
	{BG_E_TOO_MANY_FILES, "BG_E_TOO_MANY_FILES", "You cannot add more than one file to an upload job."},
	{BG_E_LOCAL_FILE_CHANGED, "BG_E_LOCAL_FILE_CHANGED", "The contents of the local file changed after the transfer process began."},
	{BG_E_ERROR_CONTEXT_REMOTE_APPLICATION, "BG_E_ERROR_CONTEXT_REMOTE_APPLICATION", "The program on the remote server reported the error."},
	{BG_E_SESSION_NOT_FOUND, "BG_E_SESSION_NOT_FOUND", "The specified session could not be found on the server. Background Intelligent Transfer Service (BITS) will try again."},
	{BG_E_TOO_LARGE, "BG_E_TOO_LARGE", "The size of the upload file exceeds the maximum allowed upload size specified on the server."},
	{BG_E_STRING_TOO_LONG, "BG_E_STRING_TOO_LONG", "The specified string is too long."},
	{BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH, "BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH", "The client and server were unable to negotiate a protocol to use for the upload job."},
	{BG_E_SERVER_EXECUTE_ENABLE, "BG_E_SERVER_EXECUTE_ENABLE", "Scripting or execute permissions are enabled on the IIS virtual directory associated with the job."},
	{BG_E_NO_PROGRESS, "BG_E_NO_PROGRESS", "The job is not making headway. The server may be misconfigured. Background Intelligent Transfer Service (BITS) will try again later."},
	{BG_E_USERNAME_TOO_LARGE, "BG_E_USERNAME_TOO_LARGE", "The user name cannot exceed 300 characters."},
	{BG_E_PASSWORD_TOO_LARGE, "BG_E_PASSWORD_TOO_LARGE", "The password cannot exceed 65535 characters."},
	{BG_E_INVALID_AUTH_TARGET, "BG_E_INVALID_AUTH_TARGET", "The specified authentication target is not valid."},
	{BG_E_INVALID_AUTH_SCHEME, "BG_E_INVALID_AUTH_SCHEME", "The specified authentication scheme is not valid."},
	{BG_E_FILE_NOT_FOUND, "BG_E_FILE_NOT_FOUND", "The specified file name does not match any of the files in the job."},
	{BG_S_PROXY_CHANGED, "BG_S_PROXY_CHANGED", "The proxy server was changed."},
	{BG_E_INVALID_RANGE, "BG_E_INVALID_RANGE", "The specified byte range is invalid. The byte range must exist within the specified remote file."},
	{BG_E_OVERLAPPING_RANGES, "BG_E_OVERLAPPING_RANGES", "The list of byte ranges contains overlapping or duplicate ranges, which are not supported."},

	{BG_E_CONNECT_FAILURE, "BG_E_CONNECT_FAILURE", "A connection could not be established."},
	{BG_E_CONNECTION_CLOSED, "BG_E_CONNECTION_CLOSED", "The connection was prematurely closed."},
	{BG_E_KEEP_ALIVE_FAILURE, "BG_E_KEEP_ALIVE_FAILURE", "The connection for a request that specifies the Keep-alive header was closed unexpectedly."},
	{BG_E_MESSAGE_LENGTH_LIMIT_EXCEEDED, "BG_E_MESSAGE_LENGTH_LIMIT_EXCEEDED", "A message was received that exceeded the specified limit when sending a request or receiving a response from the server."},
	{BG_E_NAME_RESOLUTION_FAILURE, "BG_E_NAME_RESOLUTION_FAILURE", "The host name could not be found."},
	{BG_E_PENDING, "BG_E_PENDING", "An internal asynchronous request is pending."},
	// own wording: the SDK's MessageText for BG_E_PIPELINE_FAILURE is just its name.
	{BG_E_PIPELINE_FAILURE, "BG_E_PIPELINE_FAILURE", "A pipelined request failed because the connection was closed before the response was received."},
	{BG_E_PROTOCOL_ERROR, "BG_E_PROTOCOL_ERROR", "The response received from the server was complete but indicated a protocol-level error."},
	{BG_E_PROXY_NAME_RESOLUTION_FAILURE, "BG_E_PROXY_NAME_RESOLUTION_FAILURE", "The proxy name could not be found."},
	{BG_E_RECEIVE_FAILURE, "BG_E_RECEIVE_FAILURE", "A complete response was not received from the server."},
	{BG_E_REQUEST_CANCELED, "BG_E_REQUEST_CANCELED", "The request was canceled."},
	{BG_E_SECURE_CHANNEL_FAILURE, "BG_E_SECURE_CHANNEL_FAILURE", "An error occurred while establishing a connection using SSL."},
	{BG_E_SEND_FAILURE, "BG_E_SEND_FAILURE", "A complete request could not be sent to the remote server."},
	{BG_E_SERVER_PROTOCOL_VIOLATION, "BG_E_SERVER_PROTOCOL_VIOLATION", "The server response was not valid."},
	{BG_E_TIMEOUT, "BG_E_TIMEOUT", "The operation exceeded the time limit."},
	{BG_E_TRUST_FAILURE, "BG_E_TRUST_FAILURE", "A server certificate could not be validated."},
	{BG_E_UNKNOWN_ERROR, "BG_E_UNKNOWN_ERROR", "An unknown error occurred."},

	{BG_E_BLOCKED_BY_POLICY, "BG_E_BLOCKED_BY_POLICY", "Group Policy settings prevent background jobs from running at this time."},
	{BG_E_INVALID_PROXY_INFO, "BG_E_INVALID_PROXY_INFO", "The supplied proxy server or bypass list is invalid."},
	{BG_E_INVALID_CREDENTIALS, "BG_E_INVALID_CREDENTIALS", "The format of the supplied security credentials is not valid."},
	{BG_E_INVALID_HASH_ALGORITHM, "BG_E_INVALID_HASH_ALGORITHM", "The application chose an unsupported hashing algorithm."},
	{BG_E_RECORD_DELETED, "BG_E_RECORD_DELETED", "The cache record has been deleted. The attempt to update it has been abandoned."},
	{BG_E_COMMIT_IN_PROGRESS, "BG_E_COMMIT_IN_PROGRESS", "Another application thread is already updating the cache record."},
	{BG_E_DISCOVERY_IN_PROGRESS, "BG_E_DISCOVERY_IN_PROGRESS", "The system is already searching for neighbors. Retry the operation after a few seconds."},
	{BG_E_UPNP_ERROR, "BG_E_UPNP_ERROR", "A Universal Plug and Play (UPnP) error has occurred. Please check your Internet Gateway Device."},
	{BG_E_TEST_OPTION_BLOCKED_DOWNLOAD, "BG_E_TEST_OPTION_BLOCKED_DOWNLOAD", "The test option is blocking the download after the search completed."},
	{BG_E_PEERCACHING_DISABLED, "BG_E_PEERCACHING_DISABLED", "Peer-caching is disabled."},
	{BG_E_BUSYCACHERECORD, "BG_E_BUSYCACHERECORD", "The cache record is in use and cannot be changed or deleted. Try again after a few seconds."},
	{BG_E_TOO_MANY_JOBS_PER_USER, "BG_E_TOO_MANY_JOBS_PER_USER", "The job count for the user has exceeded the per user job limit set by the MaxJobsPerUser Group Policy setting."},
	{BG_E_TOO_MANY_JOBS_PER_MACHINE, "BG_E_TOO_MANY_JOBS_PER_MACHINE", "The job count for the computer has exceeded the per computer job limit set by the MaxJobsPerMachine Group Policy setting."},
	{BG_E_TOO_MANY_FILES_IN_JOB, "BG_E_TOO_MANY_FILES_IN_JOB", "The file count for the job has exceeded the per job file limit set by the MaxFilesPerJob Group Policy setting."},
	{BG_E_TOO_MANY_RANGES_IN_FILE, "BG_E_TOO_MANY_RANGES_IN_FILE", "The range count for the file has exceeded the per file range limit set by the MaxRangesPerFile Group Policy setting."},
	{BG_E_VALIDATION_FAILED, "BG_E_VALIDATION_FAILED", "The application requested data from a website, but the response was not valid."},
	{BG_E_MAXDOWNLOAD_TIMEOUT, "BG_E_MAXDOWNLOAD_TIMEOUT", "BITS timed out downloading the job. The download did not complete within the maximum download time set on the job or the MaxDownloadTime Group Policy setting."},
	{BG_S_OVERRIDDEN_BY_POLICY, "BG_S_OVERRIDDEN_BY_POLICY", "The configuration preference has been saved successfully, but the preference will not be used because a configured Group Policy setting overrides the preference."},
	{BG_E_TOKEN_REQUIRED, "BG_E_TOKEN_REQUIRED", "The job is configured to use a different security token for some operations, but the token is not currently available. The application must provide a token and then resume the job."},
	{BG_E_UNKNOWN_PROPERTY_ID, "BG_E_UNKNOWN_PROPERTY_ID", "SetProperty() or GetProperty() called with an unknown property ID."},
	{BG_E_READ_ONLY_PROPERTY, "BG_E_READ_ONLY_PROPERTY", "Unable to call SetProperty() on a read-only property."},
	{BG_E_BLOCKED_BY_COST_TRANSFER_POLICY, "BG_E_BLOCKED_BY_COST_TRANSFER_POLICY", "The job's cost transfer policy settings prevent the job from transferring at this time."},
	{BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY, "BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY", "The property is supported for download jobs only."},
	{BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE, "BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE", "The property cannot be changed after adding a file to the job."},
	{BG_E_READ_ONLY_PROPERTY_AFTER_RESUME, "BG_E_READ_ONLY_PROPERTY_AFTER_RESUME", "The property cannot be changed after resuming the job."},
	{BG_E_MAX_DOWNLOAD_SIZE_INVALID_VALUE, "BG_E_MAX_DOWNLOAD_SIZE_INVALID_VALUE", "The value provided for the BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE property is invalid. Provide a value between 1 and UINT64_MAX."},
	{BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED, "BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED", "BITS cannot continue downloading the job. The download reached the maximum download size limit set on the job."},
	{BG_E_STANDBY_MODE, "BG_E_STANDBY_MODE", "The transfer was paused because the computer is in power-saving mode. The transfer will resume when the computer wakes up."},
	{BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED, "BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED", "The value provided for the BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS property is invalid. The property is only supported for proxy (BG_AUTH_TARGET_PROXY) targets."},
	{BG_E_BLOCKED_BY_BATTERY_POLICY, "BG_E_BLOCKED_BY_BATTERY_POLICY", "The transfer was paused because the computer is running on battery power. The transfer will resume when the system is reconnected to A/C power."},
	{BG_E_BLOCKED_BY_BATTERY_SAVER, "BG_E_BLOCKED_BY_BATTERY_SAVER", "The transfer was paused because the computer is in Battery Saver mode. The transfer will resume when the system is reconnected to A/C power or no longer in Battery Saver mode."},
	{BG_E_WATCHDOG_TIMEOUT, "BG_E_WATCHDOG_TIMEOUT", "An operation did not complete within the expected time interval."},
	{BG_E_APP_PACKAGE_NOT_FOUND, "BG_E_APP_PACKAGE_NOT_FOUND", "An app package matching the job owner or COM caller was not found."},
	{BG_E_APP_PACKAGE_SCENARIO_NOT_SUPPORTED, "BG_E_APP_PACKAGE_SCENARIO_NOT_SUPPORTED", "BITS usage by app packages cannot be supported on this device because one or more dependencies are missing."},
	{BG_E_DATABASE_CORRUPT, "BG_E_DATABASE_CORRUPT", "BITS persistent state corruption was detected. The necessary steps will be taken to fix this issue once BITS is restarted."},
	{BG_E_RANDOM_ACCESS_NOT_SUPPORTED, "BG_E_RANDOM_ACCESS_NOT_SUPPORTED", "BITS IBackgroundCopyFile6 methods are not supported in SMB, dynamic content, multirange, upload, or upload-reply transfers."},
	{BG_E_BLOCKED_BY_BACKGROUND_ACCESS_POLICY, "BG_E_BLOCKED_BY_BACKGROUND_ACCESS_POLICY", "The background access settings of the job's owner app prevent the job from transferring at this time."},
	{BG_E_BLOCKED_BY_GAME_MODE, "BG_E_BLOCKED_BY_GAME_MODE", "The job was paused because there is an active Game Mode recipient that isn't the job's owner."},
	{BG_E_BLOCKED_BY_SYSTEM_POLICY, "BG_E_BLOCKED_BY_SYSTEM_POLICY", "The job was paused due to system resource constraints. The job will automatically resume once system conditions change."},
	{BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD, "BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD", "The requested action is not supported by jobs configured with a custom HTTP method."},
	{BG_E_UNSUPPORTED_JOB_CONFIGURATION, "BG_E_UNSUPPORTED_JOB_CONFIGURATION", "The current job configuration is not compatible with the requested action."},
	{BG_E_REMOTE_FILE_CHANGED, "BG_E_REMOTE_FILE_CHANGED", "The remote file was changed during the transfer. If this is expected, call Resume on the job to initiate a retry."},
	{BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED, "BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED", "The job is configured to raise a certificate validation callback, but the callback object is not currently available."},
	{BG_E_READ_ONLY_WHEN_JOB_ACTIVE, "BG_E_READ_ONLY_WHEN_JOB_ACTIVE", "This method should only be called when the job is in a paused state (SUSPENDED/ERROR/TRANSFERRED)."},
	{BG_E_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK, "BG_E_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK", "The error occurred while the user-provided server certificate validation callback was being processed."},

	// The BITS_MC_* MessageTexts are event-log templates with %1..%4
	// inserts; these descriptions paraphrase them without the inserts.
	{BITS_MC_JOB_CANCELLED, "BITS_MC_JOB_CANCELLED", "An administrator canceled a job on behalf of its owner."},
	{BITS_MC_FILE_DELETION_FAILED, "BITS_MC_FILE_DELETION_FAILED", "While canceling a job, BITS was not able to remove its temporary files."},
	{BITS_MC_FILE_DELETION_FAILED_MORE, "BITS_MC_FILE_DELETION_FAILED_MORE", "While canceling a job, BITS was not able to remove its temporary files; not all files are listed."},
	{BITS_MC_JOB_PROPERTY_CHANGE, "BITS_MC_JOB_PROPERTY_CHANGE", "An administrator modified a property of a job."},
	{BITS_MC_JOB_TAKE_OWNERSHIP, "BITS_MC_JOB_TAKE_OWNERSHIP", "An administrator took ownership of a job."},
	{BITS_MC_JOB_SCAVENGED, "BITS_MC_JOB_SCAVENGED", "A job was canceled after being inactive for too long."},
	{BITS_MC_JOB_NOTIFICATION_FAILURE, "BITS_MC_JOB_NOTIFICATION_FAILURE", "A job failed to notify its associated application. BITS will retry later."},
	{BITS_MC_STATE_FILE_CORRUPT, "BITS_MC_STATE_FILE_CORRUPT", "The BITS job list is not in a recognized format. The job list has been cleared."},
	{BITS_MC_FAILED_TO_START, "BITS_MC_FAILED_TO_START", "The BITS service failed to start. Try restarting the service at a later time."},
	{BITS_MC_FATAL_IGD_ERROR, "BITS_MC_FATAL_IGD_ERROR", "BITS has hit a fatal error communicating with an Internet Gateway Device."},
	{BITS_MC_PEERCACHING_PORT, "BITS_MC_PEERCACHING_PORT", "BITS Peer-caching protocol."},
	{BITS_MC_WSD_PORT, "BITS_MC_WSD_PORT", "Web Services-Discovery protocol."},
}

// hresultAliases are further names ParseHRESULT accepts (upper case).
var hresultAliases = map[string]HRESULT{
	// The Go identifier of HRESULT_FROM_WIN32(ERROR_SERVICE_DISABLED).
	"HRESULT_FROM_WIN32_ERROR_SERVICE_DISABLED": HRESULT_FROM_WIN32_ERROR_SERVICE_DISABLED,
	// The spelling of Microsoft's "BITS Return Values" page.
	"BG_E_SERVER_EXECUTE_ENABLED": BG_E_SERVER_EXECUTE_ENABLE,
}

// hresultByCode and hresultByName index hresultTable.
var hresultByCode, hresultByName = indexHRESULTTable()

func indexHRESULTTable() (map[HRESULT]*hresultInfo, map[string]HRESULT) {
	byCode := make(map[HRESULT]*hresultInfo, len(hresultTable))
	byName := make(map[string]HRESULT, len(hresultTable))
	for i := range hresultTable {
		e := &hresultTable[i]
		byCode[e.code] = e
		byName[e.name] = e.code
	}
	return byCode, byName
}

// HTTPError returns the HRESULT BITS reports for HTTP status code status:
// BG_E_HTTP_ERROR_nnn = 0x80190000 + status. It is meaningful for statuses
// 100..599; for others it returns 0x80190000 | (status & 0xFFFF), for which
// HTTPStatus reports false.
func HTTPError(status int) HRESULT {
	return hresultHTTPBase | HRESULT(uint32(status)&0xFFFF)
}

// HTTPStatus returns the HTTP status code h carries, and whether h is a
// BG_E_HTTP_ERROR_nnn code (FACILITY_HTTP failure with status 100..599).
func (h HRESULT) HTTPStatus() (int, bool) {
	if h&0xFFFF0000 != hresultHTTPBase {
		return 0, false
	}
	status := int(h.Code())
	if status < hresultHTTPMinStatus || status > hresultHTTPMaxStatus {
		return 0, false
	}
	return status, true
}

// HRESULTFromWin32 converts a Win32 error code as the HRESULT_FROM_WIN32
// macro does: 0 (ERROR_SUCCESS) gives S_OK, and any other code gives
// 0x80070000 | (code & 0xFFFF). As in the macro, a code that already has
// the severity bit set (an HRESULT, negative as a Win32 LONG) is returned
// unchanged.
func HRESULTFromWin32(code uint32) HRESULT {
	if int32(code) <= 0 {
		return HRESULT(code)
	}
	return HRESULT(0x80000000 | hresultFacilityWin32<<16 | code&0xFFFF)
}

// HRESULTOf returns the HRESULT a COM method would return for err: S_OK for
// nil, the first HRESULT in err's chain (see errors.As), or E_FAIL when the
// chain holds none.
func HRESULTOf(err error) HRESULT {
	if err == nil {
		return S_OK
	}
	var h HRESULT
	if errors.As(err, &h) {
		return h
	}
	return E_FAIL
}

// Succeeded reports whether h is a success code (SUCCEEDED: high bit clear).
func (h HRESULT) Succeeded() bool { return h&0x80000000 == 0 }

// Failed reports whether h is a failure code (FAILED: high bit set).
func (h HRESULT) Failed() bool { return !h.Succeeded() }

// Facility returns h's facility (HRESULT_FACILITY: bits 16..28), such as 7
// for FACILITY_WIN32, 0x19 for FACILITY_HTTP and 0x20 for
// FACILITY_BACKGROUNDCOPY.
func (h HRESULT) Facility() uint16 { return uint16(h>>16) & 0x1FFF }

// Code returns h's low 16 bits (HRESULT_CODE), such as the Win32 error of a
// FACILITY_WIN32 code or the status of a BG_E_HTTP_ERROR_nnn code.
func (h HRESULT) Code() uint16 { return uint16(h) }

// Name returns h's Windows name, such as "BG_E_INVALID_STATE",
// "BG_E_HTTP_ERROR_404" or "HRESULT_FROM_WIN32(ERROR_SERVICE_DISABLED)", or
// "" if h has none.
func (h HRESULT) Name() string {
	if e, ok := hresultByCode[h]; ok {
		return e.name
	}
	if status, ok := h.HTTPStatus(); ok {
		return hresultHTTPPrefix + strconv.Itoa(status)
	}
	return ""
}

// Description returns an English description of h, such as "The requested
// action is not allowed in the current job state.", or "" if h is unknown.
// For BG_E_HTTP_ERROR_nnn it names the HTTP status, e.g. "The server
// returned HTTP status 404 (Not Found)."
func (h HRESULT) Description() string {
	if e, ok := hresultByCode[h]; ok {
		return e.desc
	}
	if status, ok := h.HTTPStatus(); ok {
		if text := http.StatusText(status); text != "" {
			return fmt.Sprintf("The server returned HTTP status %d (%s).", status, text)
		}
		return fmt.Sprintf("The server returned HTTP status %d.", status)
	}
	return ""
}

// String returns h's name (see Name) or, if it has none, h as "0x%08X".
// ParseHRESULT accepts every string String returns.
func (h HRESULT) String() string {
	if name := h.Name(); name != "" {
		return name
	}
	return fmt.Sprintf("0x%08X", uint32(h))
}

// Error returns "NAME (0x%08X): description" for a known h, for example
// "BG_E_INVALID_STATE (0x80200002): The requested action is not allowed in
// the current job state.". An unknown h reads "HRESULT 0x%08X" followed by
// its Win32 error number (FACILITY_WIN32) or its severity, facility and code.
func (h HRESULT) Error() string {
	if name := h.Name(); name != "" {
		return fmt.Sprintf("%s (0x%08X): %s", name, uint32(h), h.Description())
	}
	if h.Failed() && h.Facility() == hresultFacilityWin32 {
		return fmt.Sprintf("HRESULT 0x%08X (HRESULT_FROM_WIN32 of Win32 error %d)", uint32(h), h.Code())
	}
	severity := "success"
	if h.Failed() {
		severity = "failure"
	}
	return fmt.Sprintf("HRESULT 0x%08X (%s, facility 0x%X, code 0x%04X)", uint32(h), severity, h.Facility(), h.Code())
}

// MarshalText implements encoding.TextMarshaler: it returns h.String(), so
// HRESULTs encode as their names in JSON.
func (h HRESULT) MarshalText() ([]byte, error) {
	return []byte(h.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseHRESULT. On
// error *h is left unchanged.
func (h *HRESULT) UnmarshalText(text []byte) error {
	v, err := ParseHRESULT(string(text))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// ParseHRESULT parses s, with surrounding white space ignored, as
//   - a name, in any ASCII case: a name String returns ("BG_E_INVALID_STATE",
//     "bg_e_http_error_404" for any status 100..599,
//     "HRESULT_FROM_WIN32(ERROR_SERVICE_DISABLED)") or a Go identifier of this
//     package that differs from it (HRESULT_FROM_WIN32_ERROR_SERVICE_DISABLED),
//     or "BG_E_SERVER_EXECUTE_ENABLED";
//   - hexadecimal with a 0x or 0X prefix ("0x80200002", "0x1");
//   - exactly eight hexadecimal digits without prefix ("80200002"), as
//     Windows tools print HRESULTs;
//   - decimal, optionally signed, as an int32 or a uint32
//     ("-2145386494", "2149580802", "+1", "0").
//
// Other input, including out-of-range numbers, gives an error quoting s.
func ParseHRESULT(s string) (HRESULT, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("model: invalid HRESULT %q: empty", s)
	}
	if h, ok := lookupHRESULTName(t); ok {
		return h, nil
	}
	h, ok, reason := parseHRESULTNumber(t)
	if !ok {
		return 0, fmt.Errorf("model: invalid HRESULT %q: %s", s, reason)
	}
	return h, nil
}

// lookupHRESULTName resolves a name, case-insensitively for ASCII only.
func lookupHRESULTName(t string) (HRESULT, bool) {
	upper, ok := asciiUpper(t)
	if !ok {
		return 0, false
	}
	if h, ok := hresultByName[upper]; ok {
		return h, true
	}
	if h, ok := hresultAliases[upper]; ok {
		return h, true
	}
	digits, ok := strings.CutPrefix(upper, hresultHTTPPrefix)
	if !ok || len(digits) != 3 || !isDecimalDigits(digits) {
		return 0, false
	}
	status, err := strconv.Atoi(digits)
	if err != nil || status < hresultHTTPMinStatus || status > hresultHTTPMaxStatus {
		return 0, false
	}
	return HTTPError(status), true
}

// parseHRESULTNumber parses the numeric forms of ParseHRESULT. On failure it
// returns a reason for the error message.
func parseHRESULTNumber(t string) (HRESULT, bool, string) {
	const notNumber = "not a known HRESULT name, 0x-prefixed or 8-digit hexadecimal, or decimal int32/uint32"
	switch {
	case len(t) > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X'):
		digits := t[2:]
		if !isHexDigits(digits) {
			return 0, false, "malformed hexadecimal number"
		}
		v, err := strconv.ParseUint(digits, 16, 32)
		if err != nil {
			return 0, false, "hexadecimal value does not fit in 32 bits"
		}
		return HRESULT(v), true, ""
	case t[0] == '+' || t[0] == '-':
		if !isDecimalDigits(t[1:]) {
			return 0, false, notNumber
		}
		v, err := strconv.ParseInt(t, 10, 64)
		if err != nil || v < -1<<31 || v > 1<<32-1 {
			return 0, false, "decimal value out of int32/uint32 range"
		}
		return HRESULT(uint32(v)), true, ""
	case len(t) == 8 && isHexDigits(t):
		v, err := strconv.ParseUint(t, 16, 32)
		if err != nil { // unreachable: 8 hex digits always fit
			return 0, false, "malformed hexadecimal number"
		}
		return HRESULT(v), true, ""
	case isDecimalDigits(t):
		v, err := strconv.ParseUint(t, 10, 32)
		if err != nil {
			return 0, false, "decimal value out of int32/uint32 range"
		}
		return HRESULT(v), true, ""
	}
	return 0, false, notNumber
}

// asciiUpper upper-cases s if it is all ASCII; otherwise it reports false,
// so that no non-ASCII input can case-fold into a name.
func asciiUpper(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return "", false
		}
	}
	return strings.ToUpper(s), true
}

// isDecimalDigits reports whether s is a non-empty run of ASCII digits.
func isDecimalDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isHexDigits reports whether s is a non-empty run of ASCII hex digits.
func isHexDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}
