package main

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// validate checks doc against the subset of JSON Schema 2020-12 that
// bitssim.schema.json uses: $ref to #/$defs, type, enum, properties,
// required, additionalProperties, items, pattern, minimum,
// exclusiveMinimum and oneOf. It returns every violation, with its JSON
// path.
func validate(root map[string]any, schema any, doc any, path string) []string {
	s, ok := schema.(map[string]any)
	if !ok {
		if b, isBool := schema.(bool); isBool && !b {
			return []string{path + ": not allowed"}
		}
		return nil
	}
	var errs []string
	if ref, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/$defs/")
		def, ok := root["$defs"].(map[string]any)[name]
		if !ok {
			return []string{path + ": unknown $ref " + ref}
		}
		errs = append(errs, validate(root, def, doc, path)...)
	}
	if one, ok := s["oneOf"].([]any); ok {
		n := 0
		for _, sub := range one {
			if len(validate(root, sub, doc, path)) == 0 {
				n++
			}
		}
		if n != 1 {
			errs = append(errs, fmt.Sprintf("%s: matches %d of oneOf, want 1", path, n))
		}
	}
	if enum, ok := s["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if e == doc {
				found = true
			}
		}
		if !found {
			errs = append(errs, fmt.Sprintf("%s: %v is not one of %v", path, doc, enum))
		}
	}
	if t, ok := s["type"].(string); ok && !hasType(doc, t) {
		return append(errs, fmt.Sprintf("%s: %T is not of type %s", path, doc, t))
	}
	switch v := doc.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		for _, r := range asStrings(s["required"]) {
			if _, ok := v[r]; !ok {
				errs = append(errs, fmt.Sprintf("%s: missing %q", path, r))
			}
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if sub, ok := props[k]; ok {
				errs = append(errs, validate(root, sub, v[k], path+"."+k)...)
			} else if add, ok := s["additionalProperties"]; ok {
				if b, isBool := add.(bool); isBool && !b {
					errs = append(errs, fmt.Sprintf("%s: unexpected field %q", path, k))
				} else {
					errs = append(errs, validate(root, add, v[k], path+"."+k)...)
				}
			}
		}
	case []any:
		if items, ok := s["items"]; ok {
			for i, e := range v {
				errs = append(errs, validate(root, items, e, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	case string:
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(v) {
			errs = append(errs, fmt.Sprintf("%s: %q does not match %s", path, v, p))
		}
	case float64:
		if m, ok := s["minimum"].(float64); ok && v < m {
			errs = append(errs, fmt.Sprintf("%s: %v < minimum %v", path, v, m))
		}
		if m, ok := s["exclusiveMinimum"].(float64); ok && v <= m {
			errs = append(errs, fmt.Sprintf("%s: %v <= exclusive minimum %v", path, v, m))
		}
	}
	return errs
}

func hasType(doc any, t string) bool {
	switch t {
	case "object":
		_, ok := doc.(map[string]any)
		return ok
	case "array":
		_, ok := doc.([]any)
		return ok
	case "string":
		_, ok := doc.(string)
		return ok
	case "boolean":
		_, ok := doc.(bool)
		return ok
	case "number":
		_, ok := doc.(float64)
		return ok
	case "integer":
		f, ok := doc.(float64)
		return ok && f == math.Trunc(f)
	}
	return false
}

func asStrings(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func loadSchema(t *testing.T) map[string]any {
	t.Helper()
	var schema map[string]any
	require.NoError(t, json.Unmarshal(schemaJSON, &schema), "the schema is JSON")
	return schema
}

// requireValid checks that out, one JSON document, is valid against the
// schema's definition def.
func requireValid(t *testing.T, def, out string) {
	t.Helper()
	schema := loadSchema(t)
	var doc any
	require.NoError(t, json.Unmarshal([]byte(out), &doc), "one JSON document:\n%s", out)
	errs := validate(schema, map[string]any{"$ref": "#/$defs/" + def}, doc, "$")
	assert.Empty(t, errs, "against #/$defs/%s", def)
	assert.Empty(t, validate(schema, schema, doc, "$"), "against the whole schema (oneOf)")
}

// The validator finds what it must: otherwise the tests below prove
// nothing.
func TestSchemaValidatorRejects(t *testing.T) {
	schema := loadSchema(t)
	for _, c := range []struct{ def, doc, want string }{
		{"runResults", `{}`, "is not of type array"},
		{"runResult", `{"file":"x"}`, `missing "steps"`},
		{"step", `{"kind":1,"at":"0s","atSeconds":0,"from":"A","to":"B","label":"x","ok":true}`, "is not one of"},
		{"step", `{"kind":"call","at":0,"atSeconds":0,"from":"A","to":"B","label":"x","ok":true}`, "is not of type string"},
		{"step", `{"kind":"call","at":"0s","atSeconds":0,"from":"A","to":"B","label":"x","ok":true,"Label":"y"}`, `unexpected field "Label"`},
		{"step", `{"kind":"call","at":"0s","atSeconds":0,"from":"A","to":"B","label":"x","ok":true,"result":2147749890}`, "is not of type string"},
		{"hresult", `"s_ok"`, "does not match"},
		{"benchResult", `{"backend":"sim","lifecycles":1.5,"seconds":1,"perSecond":1}`, "is not of type integer"},
		{"benchResult", `{"backend":"sim","lifecycles":1,"seconds":-1,"perSecond":1}`, "< minimum"},
	} {
		var doc any
		require.NoError(t, json.Unmarshal([]byte(c.doc), &doc))
		errs := validate(schema, map[string]any{"$ref": "#/$defs/" + c.def}, doc, "$")
		assert.Contains(t, strings.Join(errs, "\n"), c.want, "%s %s", c.def, c.doc)
	}
	var doc any
	require.NoError(t, json.Unmarshal([]byte(`[]`), &doc))
	assert.NotEmpty(t, validate(schema, schema, doc, "$"), "[] matches several outputs: oneOf fails")
}

func TestRunJSONMatchesSchema(t *testing.T) {
	examples := []string{"../../examples/06-object-dies-clsid-takes-over.bits", "../../examples/10-command-line.bits", "../../examples/16-files.bits"}
	code, out, errOut := runCLI(append([]string{"run", "--format", "json"}, examples...)...)
	require.Equal(t, exitOK, code, errOut)
	requireValid(t, "runResults", out)
	var docs []struct {
		File  string
		Steps []struct {
			Kind, At, Result string
			Event            *struct{ Kind, Target, User string }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &docs))
	require.Len(t, docs, 3, "one array, an element per scenario")
	assert.Equal(t, examples[0], docs[0].File)
	var kinds, results []string
	for _, s := range docs[0].Steps {
		kinds = append(kinds, s.Kind)
		results = append(results, s.Result)
	}
	assert.Contains(t, kinds, "notify")
	assert.Contains(t, kinds, "call")
	assert.Contains(t, results, "RPC_S_SERVER_UNAVAILABLE")
}

func TestRunJSONLinesMatchSchema(t *testing.T) {
	code, out, errOut := runCLI("run", "--format", "jsonl", "../../examples/01-object-only.bits", "../../examples/13-transient-errors.bits")
	require.Equal(t, exitOK, code, errOut)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 2, "one line per scenario")
	for _, l := range lines {
		requireValid(t, "runResult", l)
	}
	assert.Contains(t, lines[1], `"at":"20s","atSeconds":20`, "times are readable offsets")
	assert.Contains(t, lines[1], `"text":"expect job1 JobTransferred -> A x1"`, "no HTML escapes")
}

func TestOtherJSONOutputsMatchSchema(t *testing.T) {
	for _, c := range []struct {
		def  string
		args []string
	}{
		{"explanations", []string{"explain", "--json", "--object", "dead", "--clsid", "ok", "--cmdline", "ok"}},
		{"rules", []string{"rules", "--json"}},
		{"benchResult", []string{"bench", "--json", "--time", "20ms", "--compare", "60"}},
		{"conformReport", []string{"conform", "--format", "json", "--no-machine", "--rules", "OBJ,CLSID"}},
	} {
		code, out, errOut := runCLI(c.args...)
		require.Equal(t, exitOK, code, "%v: %s", c.args, errOut)
		requireValid(t, c.def, out)
	}
}

func TestSchemaCommand(t *testing.T) {
	code, out, _ := runCLI("schema")
	require.Equal(t, exitOK, code)
	assert.JSONEq(t, string(schemaJSON), out)
}
