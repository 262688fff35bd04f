package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// hresultReference is written literally from docs/reference §12 and
// bitsmsg.h / winerror.h: the constant, its value and its printed name.
var hresultReference = []struct {
	h    HRESULT
	want uint32
	name string
}{
	// §12.1 generic COM / Win32.
	{S_OK, 0x00000000, "S_OK"},
	{S_FALSE, 0x00000001, "S_FALSE"},
	{E_NOTIMPL, 0x80004001, "E_NOTIMPL"},
	{E_NOINTERFACE, 0x80004002, "E_NOINTERFACE"},
	{E_POINTER, 0x80004003, "E_POINTER"},
	{E_FAIL, 0x80004005, "E_FAIL"},
	{E_PENDING, 0x8000000A, "E_PENDING"},
	{E_UNEXPECTED, 0x8000FFFF, "E_UNEXPECTED"},
	{E_ACCESSDENIED, 0x80070005, "E_ACCESSDENIED"},
	{E_OUTOFMEMORY, 0x8007000E, "E_OUTOFMEMORY"},
	{E_INVALIDARG, 0x80070057, "E_INVALIDARG"},
	{HRESULT_FROM_WIN32_ERROR_SERVICE_DISABLED, 0x80070422, "HRESULT_FROM_WIN32(ERROR_SERVICE_DISABLED)"},
	{RPC_S_SERVER_UNAVAILABLE, 0x800706BA, "RPC_S_SERVER_UNAVAILABLE"},
	{RPC_S_CALL_FAILED, 0x800706BE, "RPC_S_CALL_FAILED"},
	{RPC_S_CALL_FAILED_DNE, 0x800706BF, "RPC_S_CALL_FAILED_DNE"},
	{RPC_X_NULL_REF_POINTER, 0x800706F4, "RPC_X_NULL_REF_POINTER"},
	{RPC_E_SERVER_DIED, 0x80010007, "RPC_E_SERVER_DIED"},
	{RPC_E_SERVER_DIED_DNE, 0x80010012, "RPC_E_SERVER_DIED_DNE"},
	{RPC_E_DISCONNECTED, 0x80010108, "RPC_E_DISCONNECTED"},
	{CO_E_OBJNOTCONNECTED, 0x800401FD, "CO_E_OBJNOTCONNECTED"},
	{REGDB_E_CLASSNOTREG, 0x80040154, "REGDB_E_CLASSNOTREG"},
	{CLASS_E_NOAGGREGATION, 0x80040110, "CLASS_E_NOAGGREGATION"},
	{CO_E_SERVER_EXEC_FAILURE, 0x80080005, "CO_E_SERVER_EXEC_FAILURE"},

	// §12.2 BITS.
	{BG_E_NOT_FOUND, 0x80200001, "BG_E_NOT_FOUND"},
	{BG_E_INVALID_STATE, 0x80200002, "BG_E_INVALID_STATE"},
	{BG_E_EMPTY, 0x80200003, "BG_E_EMPTY"},
	{BG_E_FILE_NOT_AVAILABLE, 0x80200004, "BG_E_FILE_NOT_AVAILABLE"},
	{BG_E_PROTOCOL_NOT_AVAILABLE, 0x80200005, "BG_E_PROTOCOL_NOT_AVAILABLE"},
	{BG_S_ERROR_CONTEXT_NONE, 0x00200006, "BG_S_ERROR_CONTEXT_NONE"},
	{BG_E_ERROR_CONTEXT_UNKNOWN, 0x80200007, "BG_E_ERROR_CONTEXT_UNKNOWN"},
	{BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER, 0x80200008, "BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER"},
	{BG_E_ERROR_CONTEXT_LOCAL_FILE, 0x80200009, "BG_E_ERROR_CONTEXT_LOCAL_FILE"},
	{BG_E_ERROR_CONTEXT_REMOTE_FILE, 0x8020000A, "BG_E_ERROR_CONTEXT_REMOTE_FILE"},
	{BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT, 0x8020000B, "BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT"},
	{BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION, 0x8020000C, "BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION"},
	{BG_E_DESTINATION_LOCKED, 0x8020000D, "BG_E_DESTINATION_LOCKED"},
	{BG_E_VOLUME_CHANGED, 0x8020000E, "BG_E_VOLUME_CHANGED"},
	{BG_E_ERROR_INFORMATION_UNAVAILABLE, 0x8020000F, "BG_E_ERROR_INFORMATION_UNAVAILABLE"},
	{BG_E_NETWORK_DISCONNECTED, 0x80200010, "BG_E_NETWORK_DISCONNECTED"},
	{BG_E_MISSING_FILE_SIZE, 0x80200011, "BG_E_MISSING_FILE_SIZE"},
	{BG_E_INSUFFICIENT_HTTP_SUPPORT, 0x80200012, "BG_E_INSUFFICIENT_HTTP_SUPPORT"},
	{BG_E_INSUFFICIENT_RANGE_SUPPORT, 0x80200013, "BG_E_INSUFFICIENT_RANGE_SUPPORT"},
	{BG_E_REMOTE_NOT_SUPPORTED, 0x80200014, "BG_E_REMOTE_NOT_SUPPORTED"},
	{BG_E_NEW_OWNER_DIFF_MAPPING, 0x80200015, "BG_E_NEW_OWNER_DIFF_MAPPING"},
	{BG_E_NEW_OWNER_NO_FILE_ACCESS, 0x80200016, "BG_E_NEW_OWNER_NO_FILE_ACCESS"},
	{BG_S_PARTIAL_COMPLETE, 0x00200017, "BG_S_PARTIAL_COMPLETE"},
	{BG_E_PROXY_LIST_TOO_LARGE, 0x80200018, "BG_E_PROXY_LIST_TOO_LARGE"},
	{BG_E_PROXY_BYPASS_LIST_TOO_LARGE, 0x80200019, "BG_E_PROXY_BYPASS_LIST_TOO_LARGE"},
	{BG_S_UNABLE_TO_DELETE_FILES, 0x0020001A, "BG_S_UNABLE_TO_DELETE_FILES"},
	{BG_E_INVALID_SERVER_RESPONSE, 0x8020001B, "BG_E_INVALID_SERVER_RESPONSE"},
	{BG_E_TOO_MANY_FILES, 0x8020001C, "BG_E_TOO_MANY_FILES"},
	{BG_E_LOCAL_FILE_CHANGED, 0x8020001D, "BG_E_LOCAL_FILE_CHANGED"},
	{BG_E_ERROR_CONTEXT_REMOTE_APPLICATION, 0x8020001E, "BG_E_ERROR_CONTEXT_REMOTE_APPLICATION"},
	{BG_E_SESSION_NOT_FOUND, 0x8020001F, "BG_E_SESSION_NOT_FOUND"},
	{BG_E_TOO_LARGE, 0x80200020, "BG_E_TOO_LARGE"},
	{BG_E_STRING_TOO_LONG, 0x80200021, "BG_E_STRING_TOO_LONG"},
	{BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH, 0x80200022, "BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH"},
	{BG_E_SERVER_EXECUTE_ENABLE, 0x80200023, "BG_E_SERVER_EXECUTE_ENABLE"},
	{BG_E_NO_PROGRESS, 0x80200024, "BG_E_NO_PROGRESS"},
	{BG_E_USERNAME_TOO_LARGE, 0x80200025, "BG_E_USERNAME_TOO_LARGE"},
	{BG_E_PASSWORD_TOO_LARGE, 0x80200026, "BG_E_PASSWORD_TOO_LARGE"},
	{BG_E_INVALID_AUTH_TARGET, 0x80200027, "BG_E_INVALID_AUTH_TARGET"},
	{BG_E_INVALID_AUTH_SCHEME, 0x80200028, "BG_E_INVALID_AUTH_SCHEME"},
	{BG_E_FILE_NOT_FOUND, 0x80200029, "BG_E_FILE_NOT_FOUND"},
	{BG_S_PROXY_CHANGED, 0x0020002A, "BG_S_PROXY_CHANGED"},
	{BG_E_INVALID_RANGE, 0x8020002B, "BG_E_INVALID_RANGE"},
	{BG_E_OVERLAPPING_RANGES, 0x8020002C, "BG_E_OVERLAPPING_RANGES"},
	{BG_E_CONNECT_FAILURE, 0x8020002D, "BG_E_CONNECT_FAILURE"},
	{BG_E_CONNECTION_CLOSED, 0x8020002E, "BG_E_CONNECTION_CLOSED"},
	{BG_E_KEEP_ALIVE_FAILURE, 0x8020002F, "BG_E_KEEP_ALIVE_FAILURE"},
	{BG_E_MESSAGE_LENGTH_LIMIT_EXCEEDED, 0x80200030, "BG_E_MESSAGE_LENGTH_LIMIT_EXCEEDED"},
	{BG_E_NAME_RESOLUTION_FAILURE, 0x80200031, "BG_E_NAME_RESOLUTION_FAILURE"},
	{BG_E_PENDING, 0x80200032, "BG_E_PENDING"},
	{BG_E_PIPELINE_FAILURE, 0x80200033, "BG_E_PIPELINE_FAILURE"},
	{BG_E_PROTOCOL_ERROR, 0x80200034, "BG_E_PROTOCOL_ERROR"},
	{BG_E_PROXY_NAME_RESOLUTION_FAILURE, 0x80200035, "BG_E_PROXY_NAME_RESOLUTION_FAILURE"},
	{BG_E_RECEIVE_FAILURE, 0x80200036, "BG_E_RECEIVE_FAILURE"},
	{BG_E_REQUEST_CANCELED, 0x80200037, "BG_E_REQUEST_CANCELED"},
	{BG_E_SECURE_CHANNEL_FAILURE, 0x80200038, "BG_E_SECURE_CHANNEL_FAILURE"},
	{BG_E_SEND_FAILURE, 0x80200039, "BG_E_SEND_FAILURE"},
	{BG_E_SERVER_PROTOCOL_VIOLATION, 0x8020003A, "BG_E_SERVER_PROTOCOL_VIOLATION"},
	{BG_E_TIMEOUT, 0x8020003B, "BG_E_TIMEOUT"},
	{BG_E_TRUST_FAILURE, 0x8020003C, "BG_E_TRUST_FAILURE"},
	{BG_E_UNKNOWN_ERROR, 0x8020003D, "BG_E_UNKNOWN_ERROR"},
	{BG_E_BLOCKED_BY_POLICY, 0x8020003E, "BG_E_BLOCKED_BY_POLICY"},
	{BG_E_INVALID_PROXY_INFO, 0x8020003F, "BG_E_INVALID_PROXY_INFO"},
	{BG_E_INVALID_CREDENTIALS, 0x80200040, "BG_E_INVALID_CREDENTIALS"},
	{BG_E_INVALID_HASH_ALGORITHM, 0x80200041, "BG_E_INVALID_HASH_ALGORITHM"},
	{BG_E_RECORD_DELETED, 0x80200042, "BG_E_RECORD_DELETED"},
	{BG_E_COMMIT_IN_PROGRESS, 0x80200043, "BG_E_COMMIT_IN_PROGRESS"},
	{BG_E_DISCOVERY_IN_PROGRESS, 0x80200044, "BG_E_DISCOVERY_IN_PROGRESS"},
	{BG_E_UPNP_ERROR, 0x80200045, "BG_E_UPNP_ERROR"},
	{BG_E_TEST_OPTION_BLOCKED_DOWNLOAD, 0x80200046, "BG_E_TEST_OPTION_BLOCKED_DOWNLOAD"},
	{BG_E_PEERCACHING_DISABLED, 0x80200047, "BG_E_PEERCACHING_DISABLED"},
	{BG_E_BUSYCACHERECORD, 0x80200048, "BG_E_BUSYCACHERECORD"},
	{BG_E_TOO_MANY_JOBS_PER_USER, 0x80200049, "BG_E_TOO_MANY_JOBS_PER_USER"},
	{BG_E_TOO_MANY_JOBS_PER_MACHINE, 0x80200050, "BG_E_TOO_MANY_JOBS_PER_MACHINE"},
	{BG_E_TOO_MANY_FILES_IN_JOB, 0x80200051, "BG_E_TOO_MANY_FILES_IN_JOB"},
	{BG_E_TOO_MANY_RANGES_IN_FILE, 0x80200052, "BG_E_TOO_MANY_RANGES_IN_FILE"},
	{BG_E_VALIDATION_FAILED, 0x80200053, "BG_E_VALIDATION_FAILED"},
	{BG_E_MAXDOWNLOAD_TIMEOUT, 0x80200054, "BG_E_MAXDOWNLOAD_TIMEOUT"},
	{BG_S_OVERRIDDEN_BY_POLICY, 0x00200055, "BG_S_OVERRIDDEN_BY_POLICY"},
	{BG_E_TOKEN_REQUIRED, 0x80200056, "BG_E_TOKEN_REQUIRED"},
	{BG_E_UNKNOWN_PROPERTY_ID, 0x80200057, "BG_E_UNKNOWN_PROPERTY_ID"},
	{BG_E_READ_ONLY_PROPERTY, 0x80200058, "BG_E_READ_ONLY_PROPERTY"},
	{BG_E_BLOCKED_BY_COST_TRANSFER_POLICY, 0x80200059, "BG_E_BLOCKED_BY_COST_TRANSFER_POLICY"},
	{BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY, 0x80200060, "BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY"},
	{BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE, 0x80200061, "BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE"},
	{BG_E_READ_ONLY_PROPERTY_AFTER_RESUME, 0x80200062, "BG_E_READ_ONLY_PROPERTY_AFTER_RESUME"},
	{BG_E_MAX_DOWNLOAD_SIZE_INVALID_VALUE, 0x80200063, "BG_E_MAX_DOWNLOAD_SIZE_INVALID_VALUE"},
	{BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED, 0x80200064, "BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED"},
	{BG_E_STANDBY_MODE, 0x80200065, "BG_E_STANDBY_MODE"},
	{BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED, 0x80200066, "BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED"},
	{BG_E_BLOCKED_BY_BATTERY_POLICY, 0x80200067, "BG_E_BLOCKED_BY_BATTERY_POLICY"},
	{BG_E_BLOCKED_BY_BATTERY_SAVER, 0x80200068, "BG_E_BLOCKED_BY_BATTERY_SAVER"},
	{BG_E_WATCHDOG_TIMEOUT, 0x80200069, "BG_E_WATCHDOG_TIMEOUT"},
	{BG_E_APP_PACKAGE_NOT_FOUND, 0x8020006A, "BG_E_APP_PACKAGE_NOT_FOUND"},
	{BG_E_APP_PACKAGE_SCENARIO_NOT_SUPPORTED, 0x8020006B, "BG_E_APP_PACKAGE_SCENARIO_NOT_SUPPORTED"},
	{BG_E_DATABASE_CORRUPT, 0x8020006C, "BG_E_DATABASE_CORRUPT"},
	{BG_E_RANDOM_ACCESS_NOT_SUPPORTED, 0x8020006D, "BG_E_RANDOM_ACCESS_NOT_SUPPORTED"},
	{BG_E_BLOCKED_BY_BACKGROUND_ACCESS_POLICY, 0x8020006E, "BG_E_BLOCKED_BY_BACKGROUND_ACCESS_POLICY"},
	{BG_E_BLOCKED_BY_GAME_MODE, 0x8020006F, "BG_E_BLOCKED_BY_GAME_MODE"},
	{BG_E_BLOCKED_BY_SYSTEM_POLICY, 0x80200070, "BG_E_BLOCKED_BY_SYSTEM_POLICY"},
	{BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD, 0x80200071, "BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD"},
	{BG_E_UNSUPPORTED_JOB_CONFIGURATION, 0x80200072, "BG_E_UNSUPPORTED_JOB_CONFIGURATION"},
	{BG_E_REMOTE_FILE_CHANGED, 0x80200073, "BG_E_REMOTE_FILE_CHANGED"},
	{BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED, 0x80200074, "BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED"},
	{BG_E_READ_ONLY_WHEN_JOB_ACTIVE, 0x80200075, "BG_E_READ_ONLY_WHEN_JOB_ACTIVE"},
	{BG_E_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK, 0x80200076, "BG_E_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK"},
	{BITS_MC_JOB_CANCELLED, 0x80194000, "BITS_MC_JOB_CANCELLED"},
	{BITS_MC_FILE_DELETION_FAILED, 0x80194001, "BITS_MC_FILE_DELETION_FAILED"},
	{BITS_MC_FILE_DELETION_FAILED_MORE, 0x80194002, "BITS_MC_FILE_DELETION_FAILED_MORE"},
	{BITS_MC_JOB_PROPERTY_CHANGE, 0x80194003, "BITS_MC_JOB_PROPERTY_CHANGE"},
	{BITS_MC_JOB_TAKE_OWNERSHIP, 0x80194004, "BITS_MC_JOB_TAKE_OWNERSHIP"},
	{BITS_MC_JOB_SCAVENGED, 0x80194005, "BITS_MC_JOB_SCAVENGED"},
	{BITS_MC_JOB_NOTIFICATION_FAILURE, 0x80194006, "BITS_MC_JOB_NOTIFICATION_FAILURE"},
	{BITS_MC_STATE_FILE_CORRUPT, 0x80194007, "BITS_MC_STATE_FILE_CORRUPT"},
	{BITS_MC_FAILED_TO_START, 0x80194008, "BITS_MC_FAILED_TO_START"},
	{BITS_MC_FATAL_IGD_ERROR, 0x80194009, "BITS_MC_FATAL_IGD_ERROR"},
	{BITS_MC_PEERCACHING_PORT, 0x8019400A, "BITS_MC_PEERCACHING_PORT"},
	{BITS_MC_WSD_PORT, 0x8019400B, "BITS_MC_WSD_PORT"},

	// BG_E_HTTP_ERROR_nnn as named by bitsmsg.h.
	{BG_E_HTTP_ERROR_100, 0x80190064, "BG_E_HTTP_ERROR_100"},
	{BG_E_HTTP_ERROR_101, 0x80190065, "BG_E_HTTP_ERROR_101"},
	{BG_E_HTTP_ERROR_200, 0x801900C8, "BG_E_HTTP_ERROR_200"},
	{BG_E_HTTP_ERROR_201, 0x801900C9, "BG_E_HTTP_ERROR_201"},
	{BG_E_HTTP_ERROR_202, 0x801900CA, "BG_E_HTTP_ERROR_202"},
	{BG_E_HTTP_ERROR_203, 0x801900CB, "BG_E_HTTP_ERROR_203"},
	{BG_E_HTTP_ERROR_204, 0x801900CC, "BG_E_HTTP_ERROR_204"},
	{BG_E_HTTP_ERROR_205, 0x801900CD, "BG_E_HTTP_ERROR_205"},
	{BG_E_HTTP_ERROR_206, 0x801900CE, "BG_E_HTTP_ERROR_206"},
	{BG_E_HTTP_ERROR_300, 0x8019012C, "BG_E_HTTP_ERROR_300"},
	{BG_E_HTTP_ERROR_301, 0x8019012D, "BG_E_HTTP_ERROR_301"},
	{BG_E_HTTP_ERROR_302, 0x8019012E, "BG_E_HTTP_ERROR_302"},
	{BG_E_HTTP_ERROR_303, 0x8019012F, "BG_E_HTTP_ERROR_303"},
	{BG_E_HTTP_ERROR_304, 0x80190130, "BG_E_HTTP_ERROR_304"},
	{BG_E_HTTP_ERROR_305, 0x80190131, "BG_E_HTTP_ERROR_305"},
	{BG_E_HTTP_ERROR_307, 0x80190133, "BG_E_HTTP_ERROR_307"},
	{BG_E_HTTP_ERROR_400, 0x80190190, "BG_E_HTTP_ERROR_400"},
	{BG_E_HTTP_ERROR_401, 0x80190191, "BG_E_HTTP_ERROR_401"},
	{BG_E_HTTP_ERROR_402, 0x80190192, "BG_E_HTTP_ERROR_402"},
	{BG_E_HTTP_ERROR_403, 0x80190193, "BG_E_HTTP_ERROR_403"},
	{BG_E_HTTP_ERROR_404, 0x80190194, "BG_E_HTTP_ERROR_404"},
	{BG_E_HTTP_ERROR_405, 0x80190195, "BG_E_HTTP_ERROR_405"},
	{BG_E_HTTP_ERROR_406, 0x80190196, "BG_E_HTTP_ERROR_406"},
	{BG_E_HTTP_ERROR_407, 0x80190197, "BG_E_HTTP_ERROR_407"},
	{BG_E_HTTP_ERROR_408, 0x80190198, "BG_E_HTTP_ERROR_408"},
	{BG_E_HTTP_ERROR_409, 0x80190199, "BG_E_HTTP_ERROR_409"},
	{BG_E_HTTP_ERROR_410, 0x8019019A, "BG_E_HTTP_ERROR_410"},
	{BG_E_HTTP_ERROR_411, 0x8019019B, "BG_E_HTTP_ERROR_411"},
	{BG_E_HTTP_ERROR_412, 0x8019019C, "BG_E_HTTP_ERROR_412"},
	{BG_E_HTTP_ERROR_413, 0x8019019D, "BG_E_HTTP_ERROR_413"},
	{BG_E_HTTP_ERROR_414, 0x8019019E, "BG_E_HTTP_ERROR_414"},
	{BG_E_HTTP_ERROR_415, 0x8019019F, "BG_E_HTTP_ERROR_415"},
	{BG_E_HTTP_ERROR_416, 0x801901A0, "BG_E_HTTP_ERROR_416"},
	{BG_E_HTTP_ERROR_417, 0x801901A1, "BG_E_HTTP_ERROR_417"},
	{BG_E_HTTP_ERROR_449, 0x801901C1, "BG_E_HTTP_ERROR_449"},
	{BG_E_HTTP_ERROR_500, 0x801901F4, "BG_E_HTTP_ERROR_500"},
	{BG_E_HTTP_ERROR_501, 0x801901F5, "BG_E_HTTP_ERROR_501"},
	{BG_E_HTTP_ERROR_502, 0x801901F6, "BG_E_HTTP_ERROR_502"},
	{BG_E_HTTP_ERROR_503, 0x801901F7, "BG_E_HTTP_ERROR_503"},
	{BG_E_HTTP_ERROR_504, 0x801901F8, "BG_E_HTTP_ERROR_504"},
	{BG_E_HTTP_ERROR_505, 0x801901F9, "BG_E_HTTP_ERROR_505"},
}

func TestHRESULTReferenceValues(t *testing.T) {
	for _, tc := range hresultReference {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, HRESULT(tc.want), tc.h, "value")
			assert.Equal(t, tc.name, tc.h.String(), "String")
			assert.Equal(t, tc.name, tc.h.Name(), "Name")
			assert.NotEmpty(t, tc.h.Description(), "Description")
			got, err := ParseHRESULT(tc.name)
			require.NoError(t, err)
			assert.Equal(t, tc.h, got, "ParseHRESULT(name)")
		})
	}
}

func TestHRESULTTableConsistent(t *testing.T) {
	require.NotEmpty(t, hresultTable)
	names := map[string]HRESULT{}
	codes := map[HRESULT]string{}
	for _, e := range hresultTable {
		assert.NotContains(t, names, e.name, "duplicate name %s", e.name)
		assert.NotContains(t, codes, e.code, "duplicate code 0x%08X (%s)", uint32(e.code), e.name)
		names[e.name] = e.code
		codes[e.code] = e.name

		got, err := ParseHRESULT(e.name)
		if assert.NoError(t, err, e.name) {
			assert.Equal(t, e.code, got, "ParseHRESULT(%q)", e.name)
		}
		lower, err := ParseHRESULT(strings.ToLower(e.name))
		if assert.NoError(t, err, e.name) {
			assert.Equal(t, e.code, lower, "ParseHRESULT(lower %q)", e.name)
		}
		assert.Equal(t, e.name, strings.ToUpper(e.name), "table names are upper case")
		assert.True(t, strings.HasSuffix(e.desc, "."), "description of %s ends with a period", e.name)
		assert.Equal(t, strings.TrimSpace(e.desc), e.desc, "description of %s has no surrounding space", e.name)
		_, isHTTP := e.code.HTTPStatus()
		assert.False(t, isHTTP, "%s lies in the computed BG_E_HTTP_ERROR_nnn range", e.name)
		assert.False(t, strings.HasPrefix(e.name, hresultHTTPPrefix), "%s", e.name)
	}
	for alias, h := range hresultAliases {
		assert.NotContains(t, names, alias, "alias %s shadows a table name", alias)
		assert.Contains(t, codes, h, "alias %s names a table code", alias)
	}
}

// TestHRESULTConstantsMatchTable parses hresult.go and checks every HRESULT
// constant against the table: the identifier resolves (via ParseHRESULT) to
// the constant's literal value, and the table has a row for every non-HTTP
// constant and no row without a constant.
func TestHRESULTConstantsMatchTable(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "hresult.go", nil, parser.SkipObjectResolution)
	require.NoError(t, err)

	consts := map[string]HRESULT{}
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			typ, ok := vs.Type.(*ast.Ident)
			if !ok || typ.Name != "HRESULT" {
				continue
			}
			require.Len(t, vs.Names, 1)
			require.Len(t, vs.Values, 1)
			name := vs.Names[0].Name
			lit, ok := vs.Values[0].(*ast.BasicLit)
			require.True(t, ok, "%s is a literal", name)
			v, err := strconv.ParseUint(lit.Value, 0, 32)
			require.NoError(t, err, name)
			consts[name] = HRESULT(v)
		}
	}
	require.Greater(t, len(consts), 150, "found the HRESULT constants")

	inTable := map[HRESULT]bool{}
	for _, e := range hresultTable {
		inTable[e.code] = true
	}
	for name, v := range consts {
		got, err := ParseHRESULT(name)
		if assert.NoError(t, err, name) {
			assert.Equal(t, v, got, "ParseHRESULT(%s)", name)
		}
		if _, isHTTP := v.HTTPStatus(); isHTTP {
			continue
		}
		assert.True(t, inTable[v], "%s has a table row", name)
		if _, alias := hresultAliases[name]; !alias {
			assert.Equal(t, name, v.String(), "String of %s", name)
		}
		delete(inTable, v)
	}
	assert.Empty(t, inTable, "table rows without a constant")
}

func TestHTTPError(t *testing.T) {
	tests := []struct {
		status int
		want   HRESULT
		name   string
		desc   string
	}{
		{404, 0x80190194, "BG_E_HTTP_ERROR_404", "The server returned HTTP status 404 (Not Found)."},
		{503, 0x801901F7, "BG_E_HTTP_ERROR_503", "The server returned HTTP status 503 (Service Unavailable)."},
		{100, 0x80190064, "BG_E_HTTP_ERROR_100", "The server returned HTTP status 100 (Continue)."},
		{407, 0x80190197, "BG_E_HTTP_ERROR_407", "The server returned HTTP status 407 (Proxy Authentication Required)."},
		{449, 0x801901C1, "BG_E_HTTP_ERROR_449", "The server returned HTTP status 449."},
		{599, 0x80190257, "BG_E_HTTP_ERROR_599", "The server returned HTTP status 599."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := HTTPError(tc.status)
			assert.Equal(t, tc.want, h)
			assert.Equal(t, tc.name, h.String())
			assert.Equal(t, tc.desc, h.Description())
			assert.Equal(t, fmt.Sprintf("%s (0x%08X): %s", tc.name, uint32(tc.want), tc.desc), h.Error())
			status, ok := h.HTTPStatus()
			assert.True(t, ok)
			assert.Equal(t, tc.status, status)
			assert.True(t, h.Failed())
			assert.Equal(t, uint16(0x19), h.Facility())
			assert.Equal(t, uint16(tc.status), h.Code())
		})
	}
	assert.Equal(t, BG_E_HTTP_ERROR_404, HTTPError(404))
	assert.Equal(t, BG_E_HTTP_ERROR_503, HTTPError(503))

	for _, status := range []int{-1, 0, 99, 600, 999, 0x4000, 1 << 20} {
		h := HTTPError(status)
		_, ok := h.HTTPStatus()
		assert.False(t, ok, "HTTPStatus of HTTPError(%d)", status)
		assert.Equal(t, uint16(0x19), h.Facility(), "facility of HTTPError(%d)", status)
		assert.True(t, h.Failed())
	}
	for _, h := range []HRESULT{S_OK, E_FAIL, BG_E_INVALID_STATE, BITS_MC_JOB_CANCELLED, 0x00190194} {
		_, ok := h.HTTPStatus()
		assert.False(t, ok, "HTTPStatus of %s", h)
	}
}

func TestHRESULTErrorsIsThroughWrapping(t *testing.T) {
	err := fmt.Errorf("x: %w", BG_E_INVALID_STATE)
	assert.True(t, errors.Is(err, BG_E_INVALID_STATE))
	assert.False(t, errors.Is(err, BG_E_NOT_FOUND))
	assert.Equal(t, "x: BG_E_INVALID_STATE (0x80200002): The requested action is not allowed in the current job state.", err.Error())

	twice := fmt.Errorf("outer: %w", fmt.Errorf("inner: %w", HTTPError(404)))
	assert.True(t, errors.Is(twice, BG_E_HTTP_ERROR_404))
	assert.Equal(t, "outer: inner: BG_E_HTTP_ERROR_404 (0x80190194): The server returned HTTP status 404 (Not Found).", twice.Error())

	joined := errors.Join(errors.New("other"), BG_E_TOO_MANY_JOBS_PER_USER)
	assert.True(t, errors.Is(joined, BG_E_TOO_MANY_JOBS_PER_USER))
}

func TestHRESULTErrorsAs(t *testing.T) {
	err := fmt.Errorf("resume: %w", fmt.Errorf("job 1: %w", RPC_E_DISCONNECTED))
	var h HRESULT
	require.True(t, errors.As(err, &h))
	assert.Equal(t, RPC_E_DISCONNECTED, h)
	assert.Equal(t, HRESULT(0x80010108), h)

	var h2 HRESULT
	assert.False(t, errors.As(errors.New("plain"), &h2))
}

func TestHRESULTOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want HRESULT
	}{
		{"nil", nil, S_OK},
		{"bare", BG_E_NOT_FOUND, BG_E_NOT_FOUND},
		{"wrapped", fmt.Errorf("a: %w", fmt.Errorf("b: %w", E_ACCESSDENIED)), E_ACCESSDENIED},
		{"success code as error", S_FALSE, S_FALSE},
		{"plain error", errors.New("boom"), E_FAIL},
		{"wrapped plain error", fmt.Errorf("a: %w", errors.New("boom")), E_FAIL},
		{"joined", errors.Join(errors.New("x"), BG_E_EMPTY), BG_E_EMPTY},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, HRESULTOf(tc.err))
		})
	}
}

func TestHRESULTSucceededFailed(t *testing.T) {
	tests := []struct {
		h         HRESULT
		succeeded bool
	}{
		{S_OK, true},
		{S_FALSE, true},
		{BG_S_PARTIAL_COMPLETE, true},
		{BG_S_UNABLE_TO_DELETE_FILES, true},
		{BG_S_ERROR_CONTEXT_NONE, true},
		{BG_S_PROXY_CHANGED, true},
		{BG_S_OVERRIDDEN_BY_POLICY, true},
		{0x7FFFFFFF, true},
		{0x80000000, false},
		{E_FAIL, false},
		{BG_E_INVALID_STATE, false},
		{E_UNEXPECTED, false},
		{0xFFFFFFFF, false},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.succeeded, tc.h.Succeeded(), "Succeeded(%s)", tc.h)
		assert.Equal(t, !tc.succeeded, tc.h.Failed(), "Failed(%s)", tc.h)
	}
}

func TestHRESULTFacilityCode(t *testing.T) {
	tests := []struct {
		h        HRESULT
		facility uint16
		code     uint16
	}{
		{S_OK, 0, 0},
		{E_FAIL, 0, 0x4005},
		{E_ACCESSDENIED, 7, 5},
		{HRESULT_FROM_WIN32_ERROR_SERVICE_DISABLED, 7, 1058},
		{RPC_S_SERVER_UNAVAILABLE, 7, 1722},
		{RPC_E_DISCONNECTED, 1, 0x108},
		{CO_E_SERVER_EXEC_FAILURE, 8, 5},
		{BG_E_INVALID_STATE, 0x20, 2},
		{BG_S_PARTIAL_COMPLETE, 0x20, 0x17},
		{BG_E_HTTP_ERROR_404, 0x19, 404},
		{BITS_MC_WSD_PORT, 0x19, 0x400B},
		{0xFFFFFFFF, 0x1FFF, 0xFFFF},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.facility, tc.h.Facility(), "Facility(%s)", tc.h)
		assert.Equal(t, tc.code, tc.h.Code(), "Code(%s)", tc.h)
	}
}

func TestHRESULTFromWin32(t *testing.T) {
	tests := []struct {
		code uint32
		want HRESULT
	}{
		{0, S_OK},
		{5, E_ACCESSDENIED},
		{14, E_OUTOFMEMORY},
		{87, E_INVALIDARG},
		{1058, HRESULT_FROM_WIN32_ERROR_SERVICE_DISABLED},
		{1058, 0x80070422},
		{1722, RPC_S_SERVER_UNAVAILABLE},
		{1726, RPC_S_CALL_FAILED},
		{1727, RPC_S_CALL_FAILED_DNE},
		{1780, RPC_X_NULL_REF_POINTER},
		{2, 0x80070002},
		{0x12345, 0x80072345},        // only the low 16 bits are kept
		{0x80200002, 0x80200002},     // already an HRESULT: unchanged
		{0xFFFFFFFF, 0xFFFFFFFF},     // negative as a LONG: unchanged
		{0x7FFFFFFF, 0x8007FFFF},     // positive: converted
		{0x80070005, E_ACCESSDENIED}, // idempotent
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, HRESULTFromWin32(tc.code), "HRESULTFromWin32(%d)", tc.code)
	}
}

func TestHRESULTErrorString(t *testing.T) {
	tests := []struct {
		h    HRESULT
		want string
	}{
		{BG_E_INVALID_STATE, "BG_E_INVALID_STATE (0x80200002): The requested action is not allowed in the current job state."},
		{BG_E_TOO_MANY_JOBS_PER_USER, "BG_E_TOO_MANY_JOBS_PER_USER (0x80200049): The job count for the user has exceeded the per user job limit set by the MaxJobsPerUser Group Policy setting."},
		{S_OK, "S_OK (0x00000000): The operation completed successfully."},
		{E_FAIL, "E_FAIL (0x80004005): Unspecified error."},
		{HRESULT_FROM_WIN32_ERROR_SERVICE_DISABLED, "HRESULT_FROM_WIN32(ERROR_SERVICE_DISABLED) (0x80070422): The service cannot be started, either because it is disabled or because it has no enabled devices associated with it."},
		{0x80070002, "HRESULT 0x80070002 (HRESULT_FROM_WIN32 of Win32 error 2)"},
		{0x80041234, "HRESULT 0x80041234 (failure, facility 0x4, code 0x1234)"},
		{0x00000002, "HRESULT 0x00000002 (success, facility 0x0, code 0x0002)"},
		{0x00070002, "HRESULT 0x00070002 (success, facility 0x7, code 0x0002)"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.h.Error())
	}
}

func TestHRESULTUnknownNameAndString(t *testing.T) {
	for _, h := range []HRESULT{0x80070002, 0x12345678, 0x80190000, 0x80190063, 0x80190258, 0xFFFFFFFF, 0x80200077} {
		assert.Empty(t, h.Name(), "Name(0x%08X)", uint32(h))
		assert.Empty(t, h.Description(), "Description(0x%08X)", uint32(h))
		assert.Equal(t, fmt.Sprintf("0x%08X", uint32(h)), h.String())
	}
}

func TestParseHRESULT(t *testing.T) {
	tests := []struct {
		in   string
		want HRESULT
	}{
		{"BG_E_INVALID_STATE", BG_E_INVALID_STATE},
		{"bg_e_invalid_state", BG_E_INVALID_STATE},
		{"  Bg_E_Invalid_State\n", BG_E_INVALID_STATE},
		{"BG_E_HTTP_ERROR_404", 0x80190194},
		{"bg_e_http_error_503", 0x801901F7},
		{"BG_E_HTTP_ERROR_599", 0x80190257},
		{"BG_E_HTTP_ERROR_100", 0x80190064},
		{"HRESULT_FROM_WIN32(ERROR_SERVICE_DISABLED)", 0x80070422},
		{"hresult_from_win32(error_service_disabled)", 0x80070422},
		{"HRESULT_FROM_WIN32_ERROR_SERVICE_DISABLED", 0x80070422},
		{"BG_E_SERVER_EXECUTE_ENABLED", BG_E_SERVER_EXECUTE_ENABLE},
		{"BG_E_SERVER_EXECUTE_ENABLE", 0x80200023},
		{"S_OK", 0},
		{"0x80200002", BG_E_INVALID_STATE},
		{"0X80200002", BG_E_INVALID_STATE},
		{"0x8020000a", BG_E_ERROR_CONTEXT_REMOTE_FILE},
		{"0x1", S_FALSE},
		{"0x00000000", S_OK},
		{"0x000000080200002", BG_E_INVALID_STATE},
		{"80200002", BG_E_INVALID_STATE},
		{"8020000A", BG_E_ERROR_CONTEXT_REMOTE_FILE},
		{"8020000a", BG_E_ERROR_CONTEXT_REMOTE_FILE},
		{"00000001", S_FALSE},
		{"-2145386494", BG_E_INVALID_STATE},
		{"-2147418105", RPC_E_SERVER_DIED},
		{"-2147418094", RPC_E_SERVER_DIED_DNE},
		{"-2147417848", RPC_E_DISCONNECTED},
		{"-2147483648", 0x80000000},
		{"2149580802", BG_E_INVALID_STATE},
		{"4294967295", 0xFFFFFFFF},
		{"+4294967295", 0xFFFFFFFF},
		{"-1", 0xFFFFFFFF},
		{"0", S_OK},
		{"-0", S_OK},
		{"1", S_FALSE},
		{"+1", S_FALSE},
		{"422", 422},
		{"1000000", 1000000},     // seven digits: decimal
		{"10000000", 0x10000000}, // eight digits: hexadecimal
		{"+10000000", 10000000},  // signed: decimal
		{"99999999", 0x99999999},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseHRESULT(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseHRESULTBadInput(t *testing.T) {
	tests := []string{
		"",
		"   ",
		"\t\n",
		"BG_E_NO_SUCH_THING",
		"BG_E_HTTP_ERROR_",
		"BG_E_HTTP_ERROR_99",
		"BG_E_HTTP_ERROR_099",
		"BG_E_HTTP_ERROR_600",
		"BG_E_HTTP_ERROR_4040",
		"BG_E_HTTP_ERROR_+40",
		"BG_E_HTTP_ERROR_40x",
		"BG_E_INVALID_STATE_",
		"BG_E_INVALID STATE",
		"bg_e_ınvalid_state", // dotless i must not fold to I
		"BG_E_INVALİD_STATE", // dotted capital I
		"0x",
		"0X",
		"0x-1",
		"0x+1",
		"0x 1",
		"0x_8020_0002",
		"0x100000000",
		"0xFFFFFFFFF",
		"0x80200002 extra",
		"0xG",
		"8020000G",
		"8020000G0",
		"80200002G",
		"8020 0002",
		"-",
		"+",
		"--1",
		"-0x1",
		"-2147483649",
		"4294967296",
		"+4294967296",
		"99999999999999999999999999999999",
		"-99999999999999999999999999999999",
		"1_000",
		"1e3",
		"1.0",
		"NaN",
		"S_OK\x00",
		"\xff\xfe",
		"０x80200002", // full-width digit
		"８０２０００２",
		strings.Repeat("A", 10000),
	}
	for _, in := range tests {
		t.Run(fmt.Sprintf("%q", in), func(t *testing.T) {
			var got HRESULT
			var err error
			require.NotPanics(t, func() { got, err = ParseHRESULT(in) })
			require.Error(t, err)
			assert.Equal(t, HRESULT(0), got)
			assert.Contains(t, err.Error(), "invalid HRESULT")
			assert.Contains(t, err.Error(), fmt.Sprintf("%q", in), "error quotes the input")
			assert.Nil(t, errors.Unwrap(err), "error wraps nothing")
		})
	}
}

func TestHRESULTTextAndJSON(t *testing.T) {
	type rec struct {
		Result HRESULT `json:"result"`
	}
	tests := []struct {
		h    HRESULT
		json string
	}{
		{BG_E_INVALID_STATE, `{"result":"BG_E_INVALID_STATE"}`},
		{S_OK, `{"result":"S_OK"}`},
		{HTTPError(404), `{"result":"BG_E_HTTP_ERROR_404"}`},
		{HRESULT_FROM_WIN32_ERROR_SERVICE_DISABLED, `{"result":"HRESULT_FROM_WIN32(ERROR_SERVICE_DISABLED)"}`},
		{0x80070002, `{"result":"0x80070002"}`},
	}
	for _, tc := range tests {
		b, err := json.Marshal(rec{tc.h})
		require.NoError(t, err)
		assert.JSONEq(t, tc.json, string(b))

		var back rec
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, tc.h, back.Result)
	}

	m := map[HRESULT]int{BG_E_NOT_FOUND: 1, 0x12345678: 2}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	assert.JSONEq(t, `{"BG_E_NOT_FOUND":1,"0x12345678":2}`, string(b))

	var r rec
	r.Result = E_FAIL
	err = json.Unmarshal([]byte(`{"result":"nonsense"}`), &r)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nonsense")
	assert.Equal(t, E_FAIL, r.Result, "left unchanged on error")

	var h HRESULT
	require.NoError(t, h.UnmarshalText([]byte("-2145386494")))
	assert.Equal(t, BG_E_INVALID_STATE, h)
}

func TestParseHRESULTRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := HRESULT(rapid.Uint32().Draw(t, "h"))
		s := h.String()
		got, err := ParseHRESULT(s)
		if err != nil {
			t.Fatalf("ParseHRESULT(%q): %v", s, err)
		}
		if got != h {
			t.Fatalf("ParseHRESULT(%q) = 0x%08X, want 0x%08X", s, uint32(got), uint32(h))
		}
		text, err := h.MarshalText()
		if err != nil {
			t.Fatalf("MarshalText: %v", err)
		}
		var back HRESULT
		if err := back.UnmarshalText(text); err != nil || back != h {
			t.Fatalf("UnmarshalText(%q) = 0x%08X, %v", text, uint32(back), err)
		}
		// The other numeric forms parse to h too. Decimal gets an explicit
		// sign: eight unsigned digits are read as hexadecimal.
		signed := strconv.FormatInt(int64(int32(h)), 10)
		if int32(h) >= 0 {
			signed = "+" + signed
		}
		for _, alt := range []string{
			fmt.Sprintf("0x%x", uint32(h)),
			fmt.Sprintf("%08X", uint32(h)),
			signed,
			"+" + strconv.FormatUint(uint64(h), 10),
			strings.ToLower(s),
		} {
			got, err := ParseHRESULT(alt)
			if err != nil || got != h {
				t.Fatalf("ParseHRESULT(%q) = 0x%08X, %v; want 0x%08X", alt, uint32(got), err, uint32(h))
			}
		}
		// Known codes print as "NAME (0x%08X): description".
		if name := h.Name(); name != "" {
			want := fmt.Sprintf("%s (0x%08X): %s", name, uint32(h), h.Description())
			if h.Error() != want {
				t.Fatalf("Error() = %q, want %q", h.Error(), want)
			}
		}
	})
}

func TestParseHRESULTNeverPanicsProperty(t *testing.T) {
	pieces := []string{"0x", "0X", "-", "+", "BG_E_", "HTTP_ERROR_", "404", "8020", "0002", "FFFF", "ı", "İ", "_", " ", "(", ")", "\x00", "\xff", "９"}
	rapid.Check(t, func(t *rapid.T) {
		var s string
		if rapid.Bool().Draw(t, "structured") {
			parts := rapid.SliceOfN(rapid.SampledFrom(pieces), 0, 8).Draw(t, "parts")
			s = strings.Join(parts, "")
		} else {
			s = rapid.String().Draw(t, "s")
		}
		h, err := ParseHRESULT(s)
		if err != nil {
			if h != 0 {
				t.Fatalf("ParseHRESULT(%q) returned 0x%08X with an error", s, uint32(h))
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", s)) {
				t.Fatalf("error %q does not quote input %q", err, s)
			}
			return
		}
		if again, err := ParseHRESULT(h.String()); err != nil || again != h {
			t.Fatalf("ParseHRESULT(%q) = 0x%08X but its String %q parses to 0x%08X, %v", s, uint32(h), h.String(), uint32(again), err)
		}
	})
}

func FuzzParseHRESULT(f *testing.F) {
	for _, seed := range []string{
		"", "BG_E_INVALID_STATE", "bg_e_http_error_404", "BG_E_HTTP_ERROR_999",
		"HRESULT_FROM_WIN32(ERROR_SERVICE_DISABLED)", "0x80200002", "80200002",
		"-2145386494", "4294967295", "4294967296", "0x", "-", "ı", "\xff",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHRESULT(s)
		if err != nil {
			if h != 0 {
				t.Fatalf("ParseHRESULT(%q) returned 0x%08X with an error", s, uint32(h))
			}
			return
		}
		again, err := ParseHRESULT(h.String())
		if err != nil || again != h {
			t.Fatalf("ParseHRESULT(%q) = 0x%08X but ParseHRESULT(%q) = 0x%08X, %v", s, uint32(h), h.String(), uint32(again), err)
		}
		_ = h.Error()
	})
}
