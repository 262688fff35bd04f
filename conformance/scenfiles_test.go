package conformance

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
	"github.com/bitssim/bitssim/scenario"
)

// The embedded files load: each parses, is named after a rule of its
// family directory, and one applies under every reading.
func TestScenarioFilesLoad(t *testing.T) {
	require.NoError(t, ScenarioFilesErr())
	all := AllScenarioFiles()
	require.NotEmpty(t, all)
	for _, f := range all {
		assert.True(t, strings.HasPrefix(f.Path, ScenarioDir+"/"), f.Path)
		assert.Contains(t, string(f.Source), "# "+f.Rule, "%s starts with its rule's statement", f.Path)
		assert.Contains(t, string(f.Source), "# Run: "+f.Command(), "%s says how to run it", f.Path)
		var paths []string
		for _, g := range ScenarioFiles(f.Rule) {
			paths = append(paths, g.Path)
		}
		assert.Contains(t, paths, f.Path, "ScenarioFiles(%s) lists it", f.Rule)
	}
	assert.Nil(t, ScenarioFiles("NO-SUCH-RULE"))
}

// A file written for one reading of its open rule fails under the other
// readings: the files tell the readings apart, as the Go scenarios did.
// Where the scenario language cannot (readings that differ only in what
// no backend-neutral check sees), the pair is listed here.
func TestPerReadingFilesTellTheReadingsApart(t *testing.T) {
	alike := map[[2]string]string{
		{"CLSID-OWNER-CONTEXT.job-owner", "appid-runas"}: "the harness's classes name no RunAs, so the instance runs as the owner under both",
		{"CLSID-OWNER-CONTEXT.appid-runas", "job-owner"}: "the harness's classes name no RunAs, so the instance runs as the owner under both",
	}
	n := 0
	for _, f := range AllScenarioFiles() {
		r, ok := rules.Lookup(f.Rule)
		require.True(t, ok)
		own, named := f.Variants[f.Rule]
		if !named || len(f.Variants) > 1 {
			continue // a file for another rule's reading too: its own may not matter there
		}
		for _, other := range r.VariantNames() {
			if other == own {
				continue
			}
			n++
			failed := failsOnSomeVersion(t, f, rules.Selection{f.Rule: other})
			if _, ok := alike[[2]string{f.Rule + "." + own, other}]; ok {
				assert.False(t, failed, "%s now tells %s apart: remove the pair from alike", f.Path, other)
				continue
			}
			assert.True(t, failed, "%s passes under %s=%s too", f.Path, f.Rule, other)
		}
	}
	assert.Positive(t, n, "no file is written per reading")
}

// failsOnSomeVersion runs f under the readings sel on the simulator as
// every BITS version (a file follows the backend's version in its when
// blocks; one with a version statement runs on that version only) and
// reports whether a run failed.
func failsOnSomeVersion(t *testing.T, f ScenarioFile, sel rules.Selection) bool {
	t.Helper()
	for _, v := range model.Versions() {
		so := f.script.SimOptions()
		so.Version = v
		for id, name := range sel {
			so.Variants = so.Variants.With(id, name)
		}
		be, err := harness.NewSim(so)
		require.NoError(t, err, f.Path)
		res, err := scenario.RunWith(f.script, scenario.RunOptions{Backend: be, Variants: sel})
		require.NoError(t, err, f.Path)
		require.NoError(t, be.Close())
		if res.Skipped == "" && res.Failed() {
			return true
		}
	}
	return false
}

func TestLoadScenarioFilesRejectsMisnamedFiles(t *testing.T) {
	const body = "user alice\nstart A as alice\nA: create job1\nexpect job1 interface none\n"
	for name, tc := range map[string]struct {
		files fstest.MapFS
		want  string
	}{
		"unknown rule": {fstest.MapFS{"s/OBJ/OBJ-NOPE.bits": {Data: []byte(body)}}, "no rule OBJ-NOPE"},
		"wrong family": {fstest.MapFS{"s/CLSID/OBJ-DEFAULT-NONE.bits": {Data: []byte(body)}}, "belongs in OBJ/"},
		"syntax":       {fstest.MapFS{"s/OBJ/OBJ-DEFAULT-NONE.bits": {Data: []byte("frobnicate\n")}}, "OBJ-DEFAULT-NONE.bits:1"},
		"reading not in the file": {fstest.MapFS{"s/OBJ/OBJ-NO-CALLBACK-INTERFACE.clears-old.bits": {Data: []byte(body)}},
			"no 'variant OBJ-NO-CALLBACK-INTERFACE clears-old'"},
		"another rule's reading, unnamed": {fstest.MapFS{"s/OBJ/OBJ-DEFAULT-NONE.bits": {Data: []byte("variant OBJ-NO-CALLBACK-INTERFACE clears-old\n" + body)}},
			"name it OBJ-DEFAULT-NONE.<variant>.bits"},
		"a reading left without a file": {fstest.MapFS{"s/OBJ/OBJ-NO-CALLBACK-INTERFACE.clears-old.bits": {Data: []byte("variant OBJ-NO-CALLBACK-INTERFACE clears-old\n" + body)}},
			"no scenario file is written for these readings"},
		"two files for one reading": {fstest.MapFS{
			"s/OBJ/OBJ-DEFAULT-NONE.bits":         {Data: []byte(body)},
			"s/OBJ/OBJ-DEFAULT-NONE.another.bits": {Data: []byte(body)},
		}, "no 'variant OBJ-DEFAULT-NONE another'"},
		"another rule's reading, misnamed": {fstest.MapFS{"s/OBJ/OBJ-DEFAULT-NONE.keeps-old.bits": {Data: []byte("variant OBJ-NO-CALLBACK-INTERFACE clears-old\n" + body)}},
			"no 'variant OBJ-DEFAULT-NONE keeps-old'"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadScenarioFiles(tc.files, "s")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestPickFileTakesTheMostSpecific(t *testing.T) {
	general := ScenarioFile{Path: "a.bits"}
	specific := ScenarioFile{Path: "b.bits", Variants: rules.Selection{"DELIV-RETRY-INTERVAL": rules.VarDefaultRetryDelay}}
	f, err := pickFile([]ScenarioFile{general, specific}, nil)
	require.NoError(t, err)
	assert.Equal(t, "a.bits", f.Path)
	f, err = pickFile([]ScenarioFile{general, specific}, rules.Selection{"DELIV-RETRY-INTERVAL": rules.VarDefaultRetryDelay})
	require.NoError(t, err)
	assert.Equal(t, "b.bits", f.Path)
	_, err = pickFile([]ScenarioFile{general, general}, nil)
	assert.ErrorContains(t, err, "two scenario files")
	_, err = pickFile([]ScenarioFile{specific}, nil)
	assert.ErrorContains(t, err, "no scenario file")
}

// Every Go scenario says why it is Go, and a rule with scenario files has
// no Go scenario: the runner plays its files on every backend (a backend
// that cannot skips them, as it would skip the Go). Since issue 14 the
// scenario language says every rule the suite can check, so no rule is
// left to Go: a new one that needs Go needs a statement instead.
func TestEveryGoScenarioSaysWhyItIsGo(t *testing.T) {
	registryMu.Lock()
	defer registryMu.Unlock()
	var ids []string
	for id := range registry {
		ids = append(ids, id)
	}
	assert.Empty(t, ids, "rules checked only from Go: give the language what they need, and each a scenario file")
	for id, sc := range registry {
		assert.NotEmpty(t, sc.Why, "%s: a Go scenario must say why it is not a scenario file", id)
		if len(ScenarioFiles(id)) > 0 {
			assert.Fail(t, "a Go scenario beside scenario files", "%s has scenario files and a Go scenario (%s): delete the Go", id, sc.Why)
		}
	}
}

// Issue 14's "every statement the rulebook makes can be checked from a
// scenario": each rule has scenario files, or says how else it is checked
// and why not by a file. The log lists the rules without a file.
func TestEveryRuleWithoutAFileSaysWhy(t *testing.T) {
	files, other := 0, map[string][]string{}
	for _, r := range rules.All() {
		if len(ScenarioFiles(r.ID)) > 0 {
			files++
			continue
		}
		how := HowChecked(r.ID)
		require.NotEqual(t, "not checked", how, r.ID)
		kind, reason, _ := strings.Cut(how, ": ")
		assert.NotEmpty(t, reason, "%s: %q gives no reason", r.ID, how)
		other[kind] = append(other[kind], r.ID+" ("+reason+")")
	}
	total := len(rules.All())
	t.Logf("%d of %d rules have scenario files", files, total)
	for kind, ids := range other {
		t.Logf("%s: %d\n  %s", kind, len(ids), strings.Join(ids, "\n  "))
	}
	assert.Greater(t, files, total/2, "most rules are checked by a scenario file")
}
