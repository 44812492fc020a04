// Command oracle renders test cases with Go's text/template and sprig's HermeticTxtFuncMap, the way
// Cluster API does, to produce the expectations in ../golden.json. See ../README.md.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"

	sprig "github.com/Masterminds/sprig"
	yaml "gopkg.in/yaml.v2"
)

// toYaml is Helm's toYaml over sigs.k8s.io/yaml.Marshal, which is json.Marshal followed by
// yaml.v2's Unmarshal into interface{} and Marshal (JSONToYAML). Slipway offers it as an extension.
func toYaml(v interface{}) string {
	j, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var obj interface{}
	if err := yaml.Unmarshal(j, &obj); err != nil {
		return ""
	}
	data, err := yaml.Marshal(obj)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

type testCase struct {
	Group string      `json:"group"`
	T     string      `json:"t"`
	D     interface{} `json:"d,omitempty"`
	DS    string      `json:"ds,omitempty"`
	Opt   string      `json:"opt,omitempty"`
	Name  string      `json:"name,omitempty"`
	Out   *string     `json:"out,omitempty"`
	Err   *string     `json:"err,omitempty"`
	Note  string      `json:"note,omitempty"`
}

type golden struct {
	Datasets map[string]interface{} `json:"datasets"`
	Cases    []*testCase            `json:"cases"`
}

func run(c *testCase, datasets map[string]interface{}) {
	data := c.D
	if c.DS != "" {
		data = datasets[c.DS]
	}
	name := c.Name
	if name == "" {
		name = "t"
	}
	defer func() {
		if p := recover(); p != nil {
			s := fmt.Sprint("panic: ", p)
			c.Err = &s
		}
	}()
	funcs := sprig.HermeticTxtFuncMap()
	funcs["toYaml"] = toYaml
	t := template.New(name).Funcs(funcs)
	if c.Opt != "" {
		t = t.Option(c.Opt)
	}
	t, err := t.Parse(c.T)
	if err != nil {
		s := err.Error()
		c.Err = &s
		return
	}
	var buf bytes.Buffer
	err = t.Execute(&buf, data)
	out := buf.String()
	c.Out = &out
	if err != nil {
		s := err.Error()
		c.Err = &s
	}
}

func main() {
	var g golden
	if err := json.NewDecoder(os.Stdin).Decode(&g); err != nil {
		panic(err)
	}
	for _, c := range g.Cases {
		if c.Note != "" { // hand-maintained expectation (e.g. a Go 1.22 change): keep as is
			continue
		}
		c.Out, c.Err = nil, nil
		run(c, g.Datasets)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(g); err != nil {
		panic(err)
	}
}
