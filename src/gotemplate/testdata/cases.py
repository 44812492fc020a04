#!/usr/bin/env python3
"""The golden test cases for src/gotemplate: prints them as JSON for oracle/main.go (see README.md)."""
import json
import sys
D = {
 "s": "hello", "n": 3, "f": 1.5, "big": 1000000, "neg": -2, "t": True, "z": 0, "e": "", "nul": None,
 "l": ["a","b","c"], "nums": [1,2,3], "mixed": [1,"a",None,True,{"k":"v"}], "el": [],
 "m": {"b": 2, "a": 1, "c": {"d": "deep"}}, "em": {},
 "builtin": {"cluster": {"name": "c1", "namespace": "ns", "topology": {"version": "v1.24.9+vmware.1", "class": "tkg"}}, "controlPlane": {"replicas": 3}},
 "v": "v1.23.4", "html": "<a href=\"x\">'&'</a>", "u": "a b&c=d/é", "ml": "line1\nline2\n", "sp": "  padded  ",
 "tiny": 0.000001234, "huge": 1.5e300, "third": 0.3333333333333333, "i64": 9007199254740993, "neg0": -0.0,
 "uni": "héllo wörld ✓", "keys": {"z10": 1, "z9": 2, "A": 3, "_x": 4, "10": 5, "9": 6},
}
cases = []
def c(group, t, d=None, opt=None, name=None):
    e = {"group": group, "t": t}
    if d is not None: e["d"] = d
    if opt: e["opt"] = opt
    if name: e["name"] = name
    cases.append(e)

G="text"
for t in ["plain text", "a{{/* comment */}}b", "a {{- /* c */ -}} b", "x  {{- .s -}}  y", "x {{- .s }} y", "x {{ .s -}} y",
          "{{- .s -}}\n\n", "a\n{{- \" b\" }}\n", "{{.s}}{{.s}}", "{{ \"quoted\\t\\n\\u00e9\\x41\\101\" }}", "{{ `raw\\n` }}", "{{ 'a' }} {{ '\\n' }} {{ '\\u00e9' }}",
          "{{ 1 }} {{ -1 }} {{ 1.0 }} {{ 1e6 }} {{ 1e5 }} {{ 123456789.0 }} {{ 0x1F }} {{ 0o17 }} {{ 017 }} {{ 0b101 }} {{ 1_000 }} {{ 0x1p-2 }} {{ .5 }} {{ 1. }}",
          "{{ true }} {{ false }}", "{{ . }}", "{{ .em }}", "{{ .el }}", "{{ .nul }}", "{{ .missing }}", "{{ .missing.deeper }}", "{{ .m.c.d }}", "{{ $.s }}",
          "{{ .big }} {{ .tiny }} {{ .huge }} {{ .third }} {{ .i64 }} {{ .neg0 }} {{ .f }} {{ .neg }} {{ .z }}",
          "{{ .mixed }}", "{{ .m }}", "{{ .keys }}", "{{ .builtin }}", "{{.uni}}",
          "{{/* a comment */}}", "{{- /* trim both */ -}}", "{{ 3 | printf \"%d\" }}"]:
    c(G, t, D)

G="vars"
for t in ["{{ $x := .s }}{{ $x }}", "{{ $x := 1 }}{{ $x = 2 }}{{ $x }}", "{{ $x := .m }}{{ $x.a }} {{ $x.c.d }}",
          "{{ with $x := .s }}{{ $x }}{{ end }}", "{{ if $x := .missing }}yes{{ else }}{{ $x }}{{ end }}",
          "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", "{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}",
          "{{ range $i, $e := .l }}{{ $i }}{{ $e }}{{ end }}", "{{ range $e := .l }}{{ $e }}{{ end }}", "{{ range .l }}{{ $.s }}{{ end }}",
          "{{ $ }}", "{{ $x := .nul }}{{ $x }}", "{{ $undefined }}", "{{ $x := 1 }}{{ $x.y }}", "{{ $m := .m }}{{ $m.missing }}",
          "{{ range $k, $v := .m }}{{ $k }}={{ $v }};{{ end }}", "{{ $i := 0 }}{{ range $i = .l }}{{ end }}{{ $i }}",
          "{{ $a, $b := 1 }}", "{{ range $a, $b, $c := .l }}{{ end }}"]:
    c(G, t, D)

G="control"
for t in ["{{ if .t }}T{{ end }}", "{{ if .z }}T{{ else }}F{{ end }}", "{{ if .e }}T{{ else if .s }}S{{ else }}F{{ end }}",
          "{{ if .el }}T{{ else }}F{{ end }}", "{{ if .em }}T{{ else }}F{{ end }}", "{{ if .nul }}T{{ else }}F{{ end }}", "{{ if .missing }}T{{ else }}F{{ end }}",
          "{{ if .f }}T{{ end }}", "{{ if 0.0 }}T{{ else }}F{{ end }}", "{{ if \"\" }}T{{ else }}F{{ end }}",
          "{{ with .m.c }}{{ .d }}{{ end }}", "{{ with .missing }}x{{ else }}none{{ end }}", "{{ with .s }}{{ . }}{{ else with .l }}L{{ end }}",
          "{{ range .l }}[{{ . }}]{{ end }}", "{{ range .el }}x{{ else }}empty{{ end }}", "{{ range .missing }}x{{ else }}nil{{ end }}",
          "{{ range .m }}{{ . }},{{ end }}", "{{ range .keys }}{{ . }},{{ end }}", "{{ range $k, $v := .keys }}{{ $k }},{{ end }}",
          "{{ range .n }}x{{ end }}", "{{ range .s }}x{{ end }}", "{{ range .nums }}{{ if eq . 2.0 }}{{ break }}{{ end }}{{ . }}{{ end }}",
          "{{ range .nums }}{{ if eq . 2.0 }}{{ continue }}{{ end }}{{ . }}{{ end }}", "{{ range $i, $e := .l }}{{ if eq $i 1 }}{{ break }}{{ end }}{{ $e }}{{ end }}",
          "{{ range .mixed }}{{ . }}|{{ end }}", "{{ range .mixed }}{{ .k }}|{{ end }}", "{{ break }}", "{{ if true }}{{ continue }}{{ end }}",
          "{{ range .l }}{{ range $.nums }}{{ . }}{{ end }}{{ end }}", "{{ if }}x{{ end }}", "{{ if .t }}x", "{{ end }}", "{{ else }}", "{{ if .t }}a{{ else }}b{{ else }}c{{ end }}",
          "{{ range 3 }}x{{ end }}", "{{ with $x := 1 }}{{ $x }}{{ end }}"]:
    c(G, t, D)

G="define"
for t in ['{{ define "a" }}A{{ . }}{{ end }}{{ template "a" .s }}', '{{ define "a" }}A{{ end }}x{{ template "a" }}y',
          '{{ template "nope" }}', '{{ block "b" .s }}[{{ . }}]{{ end }}', '{{ define "r" }}{{ if gt . 0 }}{{ . }}{{ template "r" (sub . 1) }}{{ end }}{{ end }}{{ template "r" 3 }}',
          '{{ define "a" }}{{ $ }}{{ end }}{{ template "a" .m.c }}', '{{ define "x" }}1{{ end }}{{ define "x" }}2{{ end }}{{ template "x" }}',
          '{{ define "e" }}{{ .missing.x.y }}{{ index 1 2 }}{{ end }}line1\n{{ template "e" . }}', '{{ if true }}{{ define "x" }}{{ end }}{{ end }}',
          '{{ define "a" }}{{ $x }}{{ end }}', '{{ define "a" }}', '{{ template "a" }}{{ define "a" }}ok{{ end }}',
          '{{ define "inf" }}{{ template "inf" . }}{{ end }}{{ template "inf" . }}']:
    c(G, t, D)

G="pipes"
for t in ['{{ .s | upper }}', '{{ .s | printf "%s-%s" "x" }}', '{{ "a" | printf "%s%s" "b" | upper }}', '{{ (len .l) }}', '{{ (.m).a }}',
          '{{ (index .m "c").d }}', '{{ .s | len }}', '{{ .l | len | printf "%d" }}', '{{ 3 | .s }}', '{{ .s 1 }}', '{{ nil }}', '{{ "x" | "y" }}',
          '{{ (1) 2 }}', '{{ .m.a | printf "%v" }}', '{{ print (print 1 2) (print "a" "b") }}', '{{ ("x").y }}', '{{ (nil).y }}', '{{ true.x }}',
          '{{ printf "%d" (len .l) | printf "%s!" }}', '{{ $x := "a" | upper }}{{ $x }}', '{{ notafunc }}', '{{ .s | notafunc }}']:
    c(G, t, D)

G="builtins"
for t in ['{{ and 1 0 }} {{ and 1 2 }} {{ and .missing 1 }} {{ or 0 "" }} {{ or 0 "x" }} {{ or .e .s }}', '{{ and }}', '{{ not 0 }} {{ not .s }} {{ not .missing }}',
          '{{ and .t (index .l 5) }}', '{{ or .t (index .l 5) }}', '{{ 1 | and 1 }} {{ 0 | or 0 }}',
          '{{ len .s }} {{ len .l }} {{ len .m }} {{ len .uni }}', '{{ len .n }}', '{{ len .missing }}', '{{ len .nul }}', '{{ len 3 }}',
          '{{ index .l 1 }} {{ index .m "a" }} {{ index .m "zz" }} {{ index .mixed 4 "k" }} {{ index .s 1 }}', '{{ index .l 3 }}', '{{ index .l 5 }}',
          '{{ index .l -1 }}', '{{ index .l 1.0 }}', '{{ index .l .n }}', '{{ index .m 1 }}', '{{ index .n 1 }}', '{{ index .missing 1 }}', '{{ index .nul 1 }}',
          '{{ index .mixed 2 0 }}', '{{ index .l }}', '{{ slice .l 1 }} {{ slice .l 1 2 }} {{ slice .s 1 3 }} {{ slice .l }}', '{{ slice .l 2 1 }}',
          '{{ slice .l 1 2 3 }}', '{{ slice .s 1 2 3 }}', '{{ slice .n 1 }}', '{{ slice .l 4 }}',
          '{{ print 1 2 "a" "b" 3 .nul .missing }}', '{{ println 1 "a" }}', '{{ print }}', '{{ html .html }} {{ html 1 "<" }} {{ html .missing }}',
          '{{ js .html }} {{ js "a\\tb=\\u2028" }}', '{{ urlquery .u }} {{ urlquery "a" 1 }}', '{{ call .s }}', '{{ call .missing }}', '{{ call }}',
          '{{ eq 1 1 }} {{ eq 1 2 }} {{ eq "a" "a" }} {{ eq .s "hello" }} {{ eq .n 3.0 }} {{ eq 1 2 3 1 }} {{ eq .t true }}', '{{ eq .n 3 }}',
          '{{ eq .l .l }}', '{{ eq .m .m }}', '{{ eq .missing .nul }} {{ eq .missing "x" }} {{ eq .nul nil }} {{ eq .l nil }}', '{{ eq 1 }}', '{{ eq .l "x" }}',
          '{{ ne 1 2 }} {{ ne "a" "a" }} {{ ne .missing "x" }}', '{{ lt 1 2 }} {{ lt 2.5 1.5 }} {{ lt "a" "b" }} {{ le 2 2 }} {{ gt 3 2 }} {{ ge 2 3 }}',
          '{{ lt .n 5 }}', '{{ lt true false }}', '{{ lt .l .l }}', '{{ lt .missing 1 }}', '{{ lt 1 }}', '{{ gt .n 2.0 }} {{ ge .f 1.5 }} {{ le .neg -2.0 }}',
          '{{ lt "ab" "a" }} {{ lt "é" "z" }}']:
    c(G, t, D)

G="printf"
for t in ['{{ printf "%v %v %v %v %v %v" .s .n .f .t .nul .l }}', '{{ printf "%d %d" 42 .n }}', '{{ printf "%s %s" 3 .n }}', '{{ printf "%5d|%-5d|%05d|%+d|% d" 42 42 42 42 42 }}',
          '{{ printf "%x %X %o %O %b %#x %#o %#b" 255 255 8 8 5 255 8 5 }}', '{{ printf "%c %q %U %#U" 65 65 233 233 }}',
          '{{ printf "%f %.2f %8.3f %-8.3f| %e %E %.3e %g %G %.3g" 3.14159 3.14159 3.14159 3.14159 1234.5678 1234.5678 1234.5678 1234.5678 0.00001234 1234.5678 }}',
          '{{ printf "%g %g %g %g %g %g" 100000.0 1000000.0 0.0001 0.00001 1e21 1e20 }}', '{{ printf "%v %v %v" 1e21 1e20 123456789.0 }}',
          '{{ printf "%.0f %.0f %.0f %.0f %.1f %.2f" 0.5 1.5 2.5 -0.5 0.25 1.005 }}', '{{ printf "%t %t %v" true false true }}', '{{ printf "%5t|%-6v|" true false }}',
          '{{ printf "%s|%10s|%-10s|%.2s|%q|%x|%X|% x|%#x" "hi" "hi" "hi" "hello" "a\\"b\\n" "hi" "hi" "hi" "hi" }}', '{{ printf "%q %+q %#q" "héllo\\x01" "héllo" "back`tick" }}',
          '{{ printf "%v|%+v|%#v" .m .m .m }}', '{{ printf "%#v %#v %#v %#v %#v" .s .n .t .nul .l }}', '{{ printf "%T %T %T %T %T %T %T %T" .s .n .t .nul .l .m 1 (add 1 2) }}',
          '{{ printf "%d" "x" }}', '{{ printf "%s" }}', '{{ printf "%d %d" 1 }}', '{{ printf "x" 1 "a" }}', '{{ printf "%" }}', '{{ printf "%z" 1 }}', '{{ printf "%!" 1 }}',
          '{{ printf "%*d|%-*d|%.*f" 5 1 4 2 2 3.14159 }}', '{{ printf "%[2]d %[1]d" 1 2 }}', '{{ printf "%[3]d" 1 }}', '{{ printf "%d" .l }}', '{{ printf "%s" .mixed }}',
          '{{ printf "%5.1f|%-7.2e|%07.2f|%+.1e|%x" .f .big .f .big .f }}', '{{ printf "%6.2f%%" 12.345 }}', '{{ printf "%v" .keys }}',
          '{{ printf "%010s|%-010s|%010d" "ab" "ab" -42 }}', '{{ printf "%.3d|%8.3d|%.0d" 7 7 0 }}', '{{ printf "%x %X" -255 3.5 }}', '{{ printf "%08.3f|%+08.3f|% 8.3f" -3.14159 3.14159 3.14159 }}',
          '{{ printf "%e %g %v %v" 0.0 0.0 .neg0 -0.0 }}', '{{ printf "%.3g %.10g %g" 1234567.0 1234567.0 1e-7 }}', '{{ printf "%#g %#.3g %#v" 1.0 1.0 1.0 }}',
          '{{ printf "%v %d" .i64 .i64 }}', '{{ printf "%s" .uni }} {{ printf "%.3s|%6s" .uni "é" }}', '{{ printf "%c%c" 0x1F600 0x41 }}', '{{ printf "%v" (list 1 "a" nil) }}',
          '{{ printf "%s %v" (semver "1.2.3") (semver "v1.2.3-rc.1+b") }}']:
    c(G, t, D)

G="parse-errors"
for t in ["{{", "{{ .s ", "{{ .s }", "{{ .s }}{{", "a\nb\n{{ .s", "{{ (.s }}", "{{ .s) }}", "{{ \"unterminated }}", "{{ `raw }}", "{{ 'ab' }}", "{{ '' }}",
          "{{ .a..b }}", "{{ .a.1 }}", "{{ $x := }}", "{{ | upper }}", "{{ .s | }}", "{{ 3 | 4 }}", "{{ .s | \"x\" }}", "{{ 1a }}", "{{ 0x }}", "{{ 08 }}", "{{ 99999999999999999999 }}",
          "{{ 1.2.3 }}", "{{ @ }}", "{{ .s # }}", "{{/* unclosed", "{{/* x */ .s }}", "{{ x := 1 }}", "{{ $x = 1 }}", "{{ range }}{{ end }}", "{{ with }}{{ end }}",
          "{{ template }}", "{{ template .s }}", "{{ define }}{{ end }}", "{{ define \"a\" }}{{ else }}{{ end }}", "{{ if .t }}{{ else }}{{ else if .s }}{{ end }}",
          "line1\nline2 {{ if .t }}\nline3 {{ .s\nline4", "{{ if .t }}\n{{ end }}\n{{ end }}", "{{ \"\\q\" }}", "{{ 1.e }}", "{{ true.x }}", "{{ .s.x.y 1 }}", "{{ (1 }}",
          "{{ upper 1 2 3 }}", "{{ 1 | 2 }}", "{{ range $i, $e := .l }}{{ end }}{{ $i }}", "{{ $x }}", "{{ .s }}\n\n{{ nosuchfunc 1 }}", "é{{ .s \"x }}", "{{ 1i }}", "{{ 3+4i }}"]:
    c(G, t, D)

G="exec-errors"
for t in ["{{ .s.x }}", "{{ .n.x }}", "{{ .l.x }}", "{{ .nul.x }}", "{{ .missing.x }}", "{{ range .mixed }}{{ .k.z }}{{ end }}", "{{ $x := .s }}{{ $x.y }}",
          "{{ with .s }}{{ .y }}{{ end }}", "{{ upper .n }}", "{{ upper .missing }}", "{{ upper .nul }}", "{{ upper nil }}", "{{ repeat 2.5 \"x\" }}", "{{ repeat .n \"x\" }}",
          "{{ repeat \"2\" \"x\" }}", "{{ repeat (add 1 1) \"x\" }}", "{{ repeat (len .l) \"x\" }}", "{{ ternary 1 2 \"x\" }}", "{{ upper }}", "{{ upper \"a\" \"b\" }}",
          "{{ index .m .nul }}", "{{ .s | .m }}", "{{ fail \"boom\" }}", "{{ fail .n }}",
          "line1\nline2 {{ .s }} {{ index .l 10 }}", "é {{ index .l 10 }}", "{{ keys \"x\" }}", "{{ keys .l }}", "{{ append .s 1 }}", "{{ first .missing }}", "{{ first 1 }}",
          "{{ dig \"a\" \"d\" .l }}", "{{ 99999999999999999999.0 }}", "{{ 18446744073709551615 }}", "{{ .missing }}{{ .s.x }}", "{{ div 1 0 }}", "{{ mod 1 0 }}", "{{ divf 1 0 }}",
          "{{ substr 3 1 \"hello\" }}", "{{ substr 1 10 \"hello\" }}", "{{ trunc 10 \"abc\" }}{{ repeat -1 \"x\" }}", "{{ regexFind \"(\" \"x\" }}", "{{ mustRegexFind \"(\" \"x\" }}",
          "{{ mustRegexMatch \"a[\" \"x\" }}", "{{ semver \"x.y\" }}", "{{ semverCompare \"~~1\" \"1.0.0\" }}", "{{ semverCompare \">1\" \"bad\" }}", "{{ mustFromJson \"{\" }}", "{{ mustFromJson \"x\" }}",
          "{{ (semver \"1.2.3\").Nope }}", "{{ .s.Method 1 }}", "{{ chunk 0 .l }}", "{{ concat .l 1 }}", "{{ concat .l nil }}", "{{ has 1 2 }}", "{{ slice .s 1 }}",
          "{{ dict \"a\" 1 | keys | first | upper }}", "{{ toDate \"2006\" \"2020\" }}"]:
    c(G, t, D)

G="missingkey"
for opt in ["missingkey=error", "missingkey=zero", "missingkey=default"]:
    for t in ["{{ .missing }}", "{{ .m.missing }}", "{{ .missing.x }}", "{{ index .m \"missing\" }}", "{{ .nul }}", "{{ .s }}", "{{ print .missing }}", "{{ upper .missing }}", "{{ (split \",\" \"a\").zz | printf \"%q\" }}"]:
        c(G, t, D, opt)

G="sprig-strings"
for t in ['{{ upper .s }} {{ lower "HeLLo" }} {{ title "hello wide world" }} {{ untitle "Hello World" }}', '{{ trim .sp }}|{{ trimAll "$" "$$a$$" }}|{{ trimPrefix "he" .s }}|{{ trimSuffix "lo" .s }}|{{ trimall "x" "xax" }}',
          '{{ repeat 3 "ab" }} {{ substr 1 3 .s }} {{ substr -1 3 .s }} {{ substr 2 -1 .s }} {{ trunc 3 .s }} {{ trunc -3 .s }} {{ trunc 10 .s }}',
          '{{ abbrev 5 "hello world" }} {{ abbrev 3 "hello" }} {{ abbrevboth 5 10 "1234 5678 9123" }} {{ abbrev 20 "short" }}',
          '{{ nospace "a b\\tc\\n" }} {{ initials "First Try" }} {{ swapcase "This Is A.Test" }}',
          '{{ snakecase "FirstName" }} {{ snakecase "HTTPServer" }} {{ snakecase "already_snake" }} {{ snakecase "with space and-dash" }} {{ snakecase "ID2Name" }} {{ snakecase "v1Beta2Thing" }}',
          '{{ camelcase "http_server" }} {{ camelcase "_my_field_name" }} {{ camelcase "foo-bar baz" }} {{ camelcase "_" }} {{ camelcase "a" }}',
          '{{ kebabcase "FirstName" }} {{ kebabcase "HTTPServer" }} {{ kebabcase "my_var Name" }}',
          '{{ wrap 5 "Hello world, how are you" }}|{{ wrapWith 5 "\\t" "Hello World" }}|{{ wrap 3 "abcdefgh ij" }}',
          '{{ contains "ell" .s }} {{ hasPrefix "he" .s }} {{ hasSuffix "x" .s }} {{ .s | contains "lo" }}',
          '{{ quote "a" 1 .nul .missing true "b\\"c" }} {{ squote "a" 1 .nul 2.5 }} {{ cat "a" 1 .nul "b" }} {{ cat }}',
          '{{ indent 2 "a\\nb" }}|{{ nindent 4 "x\\ny" }}|{{ indent 0 "z" }}', '{{ replace " " "-" "a b c" }} {{ replace "" "-" "abc" }}',
          '{{ plural "one" "many" 1 }} {{ plural "one" "many" 2 }}', '{{ sha1sum "abc" }} {{ sha256sum "abc" }} {{ adler32sum "abc" }}',
          '{{ toString 1 }} {{ toString 2.5 }} {{ toString .l }} {{ toString .nul }} {{ toString .missing }} {{ toString true }} {{ toString (semver "1.2.3") }}',
          '{{ atoi "42" }} {{ atoi "x" }} {{ atoi "-7" }} {{ atoi "+3" }} {{ atoi " 1" }}', '{{ split "," "a,b,c" }} {{ (split "," "a,b")._1 }} {{ splitList "," "a,b,c" }} {{ splitn "," 2 "a,b,c" }}',
          '{{ splitList "" "abc" }} {{ splitList "," "" }} {{ join "-" .l }} {{ join "," .mixed }} {{ join "," "x" }} {{ join "," .nums }}',
          '{{ upper .uni }} {{ title "élan vital" }} {{ substr 0 2 .uni }} {{ trunc 2 "é" }}', '{{ hello }}', '{{ title "hello_world foo.bar" }}']:
    c(G, t, D)

G="sprig-math"
for t in ['{{ add 1 2 3 }} {{ add1 5 }} {{ sub 5 3 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 3 }} {{ div -7 2 }} {{ mod -7 3 }}',
          '{{ add .n .f }} {{ add "3" 1 }} {{ add "0x10" 1 }} {{ add "1.0" 1 }} {{ add "1.5" 1 }} {{ add true 1 }} {{ add .nul 1 }} {{ add "x" 1 }}',
          '{{ add1f 1.5 }} {{ addf 1.1 2.2 }} {{ subf 5.5 1.1 }} {{ mulf 1.1 3 }} {{ divf 10 3 }} {{ divf 1 3 }} {{ divf 2 3 }} {{ addf }}',
          '{{ max 1 5 3 }} {{ biggest 2 9 }} {{ min 4 2 8 }} {{ maxf 1.5 2.5 }} {{ minf 1.5 -2.5 }} {{ max .f 1 }}',
          '{{ ceil 1.2 }} {{ floor 1.8 }} {{ round 3.14159 2 }} {{ round 2.5 0 }} {{ round 1.234 1 0.3 }} {{ ceil "2.1" }}',
          '{{ int64 "42" }} {{ int 3.9 }} {{ int -3.9 }} {{ float64 "1.5" }} {{ float64 3 }} {{ int "012" }} {{ int64 "1.00" }}',
          '{{ toDecimal "0777" }} {{ toDecimal 777 }} {{ toDecimal "x" }}', '{{ seq 5 }}|{{ seq -3 }}|{{ seq 2 5 }}|{{ seq 5 2 }}|{{ seq 0 2 10 }}|{{ seq 10 -3 1 }}|{{ seq }}|{{ seq 1 2 3 4 }}',
          '{{ until 5 }} {{ until -3 }} {{ untilStep 0 10 3 }} {{ untilStep 10 0 -4 }} {{ untilStep 0 10 0 }}',
          '{{ range until 3 }}{{ . }}{{ end }}', '{{ mul 9223372036854775807 2 }} {{ add 9223372036854775807 1 }}', '{{ printf "%T %T %T %T" (add 1 1) (addf 1 1) (len "a") (atoi "1") }}',
          '{{ max }}', '{{ round 1.5 }}', '{{ addf 0.1 0.2 }} {{ mulf 0.1 3 }} {{ subf 1 0.9 }} {{ divf 1 7 }} {{ divf -1 7 }}']:
    c(G, t, D)

G="sprig-lists"
for t in ['{{ list 1 "a" .nul }} {{ list }} {{ tuple 1 2 }}', '{{ append .l "d" }} {{ push .el 1 }} {{ prepend .l "z" }} {{ .l }}',
          '{{ first .l }} {{ last .l }} {{ rest .l }} {{ initial .l }} {{ first .el }} {{ rest .el }} {{ last .el }}', '{{ reverse .l }} {{ reverse .el }}',
          '{{ uniq (list 1 1 "a" "a" 2.0 .n) }} {{ compact (list 1 0 "" "a" .nul false true (list)) }}', '{{ without .l "b" }} {{ without (list 1 2 3) 2 }} {{ without .nums 2.0 }}',
          '{{ has "b" .l }} {{ has 2 .nums }} {{ has 2.0 .nums }} {{ has 1 .nul }}', '{{ slice .l 1 }} {{ slice .l 0 2 }} {{ slice .l }} {{ slice .el }} {{ slice .l "1" }}',
          '{{ concat .l .nums (list 9) }} {{ concat }}', '{{ chunk 2 (list 1 2 3 4 5) }} {{ chunk 3 .el }}', '{{ sortAlpha (list "b" "a" "C" 10 2) }} {{ sortAlpha "x" }}',
          '{{ toStrings (list 1 "a" .nul 2.5) }}', '{{ first "x" }}', '{{ append "x" 1 }}', '{{ slice .l 1 5 }}', '{{ has 1 "x" }}', '{{ without 1 2 }}',
          '{{ $l := list 1 }}{{ $_ := append $l 2 }}{{ $l }}', '{{ len (list 1 2) }} {{ index (list "a" "b") 1 }}', '{{ range $i, $v := list "x" "y" }}{{ $i }}{{ $v }}{{ end }}',
          '{{ mustFirst .l }} {{ mustLast .l }} {{ mustRest .l }} {{ mustInitial .l }} {{ mustReverse .l }} {{ mustUniq .l }} {{ mustWithout .l "a" }} {{ mustHas "a" .l }} {{ mustSlice .l 1 }} {{ mustCompact .l }} {{ mustAppend .l 1 }} {{ mustPrepend .l 0 }} {{ mustPush .l 2 }} {{ mustChunk 2 .l }}']:
    c(G, t, D)

G="sprig-dicts"
for t in ['{{ dict "a" 1 "b" "x" }} {{ dict }} {{ dict "odd" }} {{ dict 1 2 }}', '{{ $d := dict "a" 1 }}{{ set $d "b" 2 }} {{ $d }} {{ unset $d "a" }} {{ hasKey $d "b" }} {{ hasKey $d "a" }}',
          '{{ get .m "a" }} {{ get .m "zz" | quote }} {{ get .m "c" }}', '{{ keys .m | sortAlpha }} {{ keys .m .keys | sortAlpha }} {{ keys .em }}', '{{ values .em }} {{ values (dict "a" 1) }}',
          '{{ pick .m "a" "c" "zz" }} {{ omit .m "a" }}', '{{ pluck "a" .m (dict "a" 9) (dict "b" 1) }}',
          '{{ merge (dict "a" 1 "n" (dict "x" 1)) (dict "a" 2 "b" 3 "n" (dict "x" 2 "y" 3)) }}', '{{ mergeOverwrite (dict "a" 1 "n" (dict "x" 1)) (dict "a" 2 "b" 3 "n" (dict "x" 2 "y" 3)) }}',
          '{{ merge (dict "a" "" "b" 0 "c" false "l" (list)) (dict "a" "x" "b" 1 "c" true "l" (list 1)) }}', '{{ mergeOverwrite (dict "a" "x") (dict "a" "") }}',
          '{{ merge (dict "l" (list 1)) (dict "l" (list 2)) }} {{ mergeOverwrite (dict "l" (list 1)) (dict "l" (list 2)) }} {{ merge (dict "s" "keep") (dict "s" (dict "x" 1)) }}',
          '{{ merge (dict "n" .nul) (dict "n" 1) }} {{ mergeOverwrite (dict "n" 1) (dict "n" .nul) }}', '{{ $d := dict "a" (dict "b" 1) }}{{ $c := deepCopy $d }}{{ $_ := set $c.a "b" 2 }}{{ $d }} {{ $c }}',
          '{{ dig "c" "d" "def" .m }} {{ dig "c" "zz" "def" .m }} {{ dig "a" "x" "def" .m }}', '{{ dig "a" .m }}', '{{ .m | keys | sortAlpha | join "," }}',
          '{{ get .l "a" }}', '{{ keys .missing }}', '{{ hasKey .nul "a" }}', '{{ set .missing "a" 1 }}', '{{ (dict "a" (list 1 2)).a }}',
          '{{ mustMerge (dict "a" 1) (dict "b" 2) }} {{ mustMergeOverwrite (dict "a" 1) (dict "a" 2) }} {{ mustDeepCopy .l }}']:
    c(G, t, D)

G="sprig-defaults"
for t in ['{{ default "d" .missing }} {{ default "d" .e }} {{ default "d" .s }} {{ default "d" .z }} {{ default "d" .el }} {{ default "d" .t }} {{ default "d" .nul }} {{ default "d" }}',
          '{{ .missing | default "x" }} {{ .n | default 5 }} {{ 0 | default 5 }}', '{{ empty .missing }} {{ empty .e }} {{ empty .s }} {{ empty .z }} {{ empty .f }} {{ empty .em }} {{ empty .m }} {{ empty false }} {{ empty (semver "1.0.0") }}',
          '{{ coalesce .missing .e .z .s }} {{ coalesce .e .z }} {{ all 1 "a" true }} {{ all 1 "" }} {{ any 0 "" .s }} {{ any }} {{ all }}',
          '{{ ternary "y" "n" true }} {{ ternary "y" "n" false }} {{ true | ternary 1 2 }}', '{{ ternary 1 2 .t }}', '{{ ternary 1 2 .s }}',
          '{{ fromJson "{\\"b\\":[1,2.5,{\\"c\\":null}],\\"a\\":\\"x\\"}" }} {{ fromJson "bad" }} {{ (fromJson "{\\"a\\":1}").a }}',
          '{{ toJson .m }} {{ toJson .mixed }} {{ toJson .html }} {{ toJson .nul }} {{ toJson .missing }} {{ toJson 1 }} {{ toJson 1.5 }} {{ toJson .big }} {{ toJson .tiny }} {{ toJson .huge }}',
          '{{ toPrettyJson .m }}|{{ toPrettyJson .el }}|{{ toPrettyJson .em }}|{{ toPrettyJson (list 1 (dict)) }}', '{{ toRawJson .html }} {{ toRawJson .m }} {{ mustToRawJson "<&>" }}',
          '{{ toJson "\\b\\f" }}', '{{ toJson "\\u2028\\u0007\\t" }} {{ toJson .uni }} {{ toJson (semver "1.2.3") }} {{ toJson .neg0 }} {{ toJson (add 1 2) }}', '{{ mustToJson .l }} {{ mustToPrettyJson .l }}',
          '{{ typeOf .s }} {{ typeOf .n }} {{ typeOf .l }} {{ typeOf .m }} {{ typeOf .nul }} {{ typeOf 1 }} {{ typeOf (list) }} {{ typeOf (splitList "," "a") }} {{ typeOf (split "," "a") }} {{ typeOf (semver "1.0.0") }}',
          '{{ kindOf .s }} {{ kindOf .n }} {{ kindOf .l }} {{ kindOf .m }} {{ kindOf .nul }} {{ kindOf 1 }} {{ kindOf (semver "1.0.0") }} {{ kindIs "map" .m }} {{ typeIs "string" .s }} {{ typeIsLike "semver.Version" (semver "1.0.0") }}',
          '{{ deepEqual .l .l }} {{ deepEqual (list 1) (list 1) }} {{ deepEqual (list 1) (list 1.0) }} {{ deepEqual .m (dict) }}']:
    c(G, t, D)

G="sprig-encoding"
for t in ['{{ b64enc "hello" }} {{ b64dec "aGVsbG8=" }} {{ b64dec "aGVsbG8" }} {{ b64dec "a!==" }} {{ b64enc "" }} {{ b64dec "aGVs\\nbG8=" }} {{ b64enc .uni }}',
          '{{ b32enc "hello" }} {{ b32dec "NBSWY3DP" }} {{ b32dec "bad" }} {{ b32enc "a" }}', '{{ base "/a/b.txt" }} {{ dir "/a/b.txt" }} {{ ext "x.tar.gz" }} {{ clean "a//b/../c/." }} {{ isAbs "/x" }} {{ base "" }} {{ dir "file" }} {{ clean "" }} {{ base "/a/b/" }} {{ clean "/../a" }}',
          '{{ osBase "/a/b" }} {{ osDir "/a/b" }} {{ osExt "a.b" }} {{ osClean "a/./b" }} {{ osIsAbs "a" }}',
          '{{ $u := urlParse "https://user:pw@example.com:8443/p/a%20th?q=1&r=2#frag" }}{{ $u.scheme }}|{{ $u.host }}|{{ $u.hostname }}|{{ $u.path }}|{{ $u.query }}|{{ $u.fragment }}|{{ $u.userinfo }}|{{ $u.opaque }}',
          '{{ urlJoin (dict "scheme" "https" "host" "example.com" "path" "/a b" "query" "x=1" "fragment" "f") }} {{ urlJoin (dict "scheme" "mailto" "opaque" "x@y.z") }} {{ urlJoin (dict "host" "h" "path" "p") }}',
          '{{ urlParse "mailto:x@y.z" }}', '{{ derivePassword 1 "long" "password" "user" "example.com" }} {{ derivePassword 1 "nope" "p" "u" "s" }}',
          '{{ decryptAES "secretkey" "WnbwBG3W4yExlUxPqfrXBUvc4ELJfasdmW0Ih+PIBsI=" }} {{ decryptAES "k" "" }}',
          '{{ duration "95" }} {{ duration 95 }} {{ duration (int64 3700) }} {{ duration "0" }} {{ duration (int64 -90) }} {{ duration (int64 90061) }}',
          '{{ durationRound "2h10m5s" }} {{ durationRound "3600s" }} {{ durationRound "25h" }} {{ durationRound "800h" }} {{ durationRound "9000h" }} {{ durationRound "1.5s" }} {{ durationRound (int64 -5000000000) }} {{ durationRound 5 }}']:
    c(G, t, D)

G="sprig-semver"
for t in ['{{ semverCompare ">=1.22.0" "1.23.4" }} {{ semverCompare ">=1.22.0" "v1.21.9" }} {{ semverCompare "^1.2.0" "1.9.0" }} {{ semverCompare "^1.2.0" "2.0.0" }} {{ semverCompare "~1.2.0" "1.2.9" }} {{ semverCompare "~1.2.0" "1.3.0" }}',
          '{{ semverCompare ">= 1.22, < 1.25" .builtin.cluster.topology.version }} {{ semverCompare "1.24.x" .builtin.cluster.topology.version }} {{ semverCompare "1.2.3 - 1.4.5" "1.4.0" }} {{ semverCompare "<1.0 || >=2.0" "1.5.0" }} {{ semverCompare "<1.0 || >=2.0" "2.5.0" }}',
          '{{ semverCompare ">=1.22.0" "1.23.0-rc.1" }} {{ semverCompare ">=1.22.0-0" "1.23.0-rc.1" }} {{ semverCompare "!=1.2.3" "1.2.3" }} {{ semverCompare "!=1.2" "1.3.0" }} {{ semverCompare "*" "1.0.0" }} {{ semverCompare "" "1.0.0" }}',
          '{{ semverCompare "=1.2.3" "1.2.3+build" }} {{ semverCompare "<=1.2" "1.2.9" }} {{ semverCompare ">1.2" "1.3.0" }} {{ semverCompare ">1.2" "1.2.9" }} {{ semverCompare "^0.2.3" "0.2.9" }} {{ semverCompare "^0.0.3" "0.0.4" }} {{ semverCompare "~>2" "2.9.9" }}',
          '{{ $v := semver "v1.2.3-beta.1+meta" }}{{ $v.Major }}.{{ $v.Minor }}.{{ $v.Patch }} {{ $v.Prerelease }} {{ $v.Metadata }} {{ $v.Original }} {{ $v }} {{ $v.String }}',
          '{{ $a := semver "1.2.3" }}{{ $b := semver "1.10.0" }}{{ $a.LessThan $b }} {{ $a.GreaterThan $b }} {{ $a.Equal $a }} {{ $a.Compare $b }} {{ $a.IncMinor }} {{ ($a.IncMajor).Original }} {{ (semver "v1.2.3-rc").IncPatch }}',
          '{{ semver "1" }} {{ semver "1.2" }} {{ (semver "1.2.3-alpha.10").Prerelease }} {{ semver "01.2.3" }}', '{{ semver "1.2.3-01" }}', '{{ semverCompare ">= x" "1.0.0" }}',
          '{{ semverCompare "1.2.3-alpha < 1.2.3-beta" "1.0.0" }}', '{{ semverCompare "<1.2.3-beta" "1.2.3-alpha.1" }} {{ semverCompare ">1.2.3-alpha.10" "1.2.3-alpha.9" }} {{ semverCompare "> 1.2.3-alpha" "1.2.3-alpha.beta" }}']:
    c(G, t, D)

G="sprig-regex"
for t in ['{{ regexMatch "^[a-z]+$" "abc" }} {{ regexMatch "^[a-z]+$" "aBc" }} {{ regexMatch "(" "x" }} {{ regexMatch "(?i)^abc$" "ABC" }} {{ regexMatch "[[:digit:]]+" "a1" }}',
          '{{ regexFindAll "[0-9]+" "a1b22c333" -1 }} {{ regexFindAll "[0-9]+" "a1b22c333" 2 }} {{ regexFindAll "x*" "axxb" -1 }} {{ regexFindAll "a" "b" -1 }}',
          '{{ regexFind "[0-9]+" "ab123cd45" }} {{ regexFind "z" "abc" | quote }}', '{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }} {{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W" }} {{ regexReplaceAll "(?P<first>\\\\w+) (?P<second>\\\\w+)" "hello world" "$second $first" }}',
          '{{ regexReplaceAll "x*" "abc" "-" }} {{ regexReplaceAll "" "abc" "-" }} {{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }} {{ regexReplaceAll "b" "abc" "$$" }}',
          '{{ regexSplit "z+" "pizza" -1 }} {{ regexSplit "z+" "pizza" 1 }} {{ regexSplit "" "abc" -1 }} {{ regexSplit "a" "" -1 }} {{ regexSplit "a*" "baaac" -1 }} {{ regexSplit "," "a,b,c" 2 }}',
          '{{ regexQuoteMeta "1.2+[x]" }}', '{{ regexFind "(?=x)" "x" }}', '{{ mustRegexReplaceAll "(" "x" "y" }}', '{{ regexReplaceAll "\\\\." "a.b.c" "\\\\" }} {{ regexMatch "^\\\\-\\\\d$" "-1" }}',
          '{{ regexFindAll "\\\\pL+" "héllo wörld" -1 }} {{ regexFind "(?s)a.b" "a\\nb" }} {{ regexReplaceAll "é" "héé" "e" }} {{ regexFindAll "." "✓é" -1 }}',
          '{{ mustRegexFindAll "[a-" "x" 1 }}', '{{ mustRegexSplit "," "a,b" -1 }} {{ mustRegexReplaceAllLiteral "a" "aa" "$1" }}']:
    c(G, t, D)

G="positions"
for t in ["line1\n  line2 {{ .s.x }}", "{{ if .t }}\n  {{ range .l }}\n    {{ .x }}\n  {{ end }}\n{{ end }}", "ééé {{ .s.x }}", "\t{{ .a.b.c }}", "{{ .m.a.x }}", "{{ $x := .m }}{{ $x.c.d.e }}",
          "{{ (index .m \"c\").d.e }}", "{{ print (.s.x) }}", "{{ .s | printf \"%s\" | upper | .m }}", "{{ with .m }}{{ .c.d.e }}{{ end }}", "a\r\nb{{ .s.x }}"]:
    c(G, t, D)
for t in ["{{ .s.x }}", "{{ .builtin.cluster.name | nope }}", "{{ index .l 9 }}"]:
    c(G, t, D, name="tpl")
G="ints"
for t in ['{{ gt (semver .v).Minor 22 }} {{ eq (semver .v).Major 1 }} {{ lt -1 (semver .v).Major }} {{ eq (len .l) 3 }} {{ eq (add 1 2) 3 }}', '{{ eq (semver .v).Major 1.0 }}',
          '{{ printf "%v %d %x" (semver .v).Minor (semver .v).Minor (index "A" 0) }}', '{{ index "héllo" 1 }} {{ printf "%c" (index "abc" 1) }}', '{{ len (index .l 0) }}']:
    c(G, t, D)

G="toYaml"  # Slipway extension (Helm semantics); the oracle renders it with yaml.v2 as sigs.k8s.io/yaml does
Y = {"str": "hello", "num": 3, "flt": 1.5, "big": 1000000, "huge": 1e21, "tiny": 1e-7, "t": True, "nul": None, "e": "", "el": [], "em": {},
     "quoted": ["true", "yes", "no", "on", "off", "y", "n", "null", "~", "1", "1.5", "0x1F", "1e3", "0777", "-", "- a", "a: b", "a:b", "#x", "x #y", "x# y", "*a", "&a", "!a", "|", ">", "%", "@", "`", "[a]", "{a}", "a,b", "?", "? a", "'q'", "\"dq\"", " lead", "trail ", "tab\tin", "2001-12-14", "12:30", "1:20:30", ".5", "+1", "-1", "1_000", "0b101", ".inf", ".NaN", "<<", "=", "é", "✓ ok", "a\u0007b", "---", "..."],
     "multi": "line1\nline2\n", "multi2": "a\nb", "multi3": "x\n\n", "multi4": "  indented\nx", "multi5": "trailing \nspace", "long": "word " * 30,
     "longq": "yes " + "word " * 30, "nested": {"b": [1, {"c": [], "d": {}}], "a": {"x": [[1, 2], []]}}, "keys": {"a10": 1, "a9": 2, "B": 3, "b": 4, "_": 5, "10": 6, "9": 7, "x2y": 8}}
for t in ['{{ toYaml .str }}', '{{ toYaml .num }} {{ toYaml .flt }} {{ toYaml .big }} {{ toYaml .huge }} {{ toYaml .tiny }} {{ toYaml .t }} {{ toYaml .nul }} {{ toYaml .e }} {{ toYaml .el }} {{ toYaml .em }}',
          '{{ toYaml .quoted }}', '{{ toYaml .multi }}', '{{ toYaml (dict "m" .multi "m2" .multi2 "m3" .multi3 "m4" .multi4 "m5" .multi5) }}', '{{ toYaml (dict "long" .long "longq" .longq) }}',
          '{{ toYaml .nested }}', '{{ toYaml .keys }}', '{{ toYaml . }}', 'spec:\n  {{- toYaml .nested | nindent 2 }}', '{{ toYaml (list .multi (dict "k" .multi2)) }}', '{{ toYaml (add 1 2) }} {{ toYaml (semver "1.2.3") }} {{ toYaml .missing }}']:
    c(G, t, Y)

G="capi"
capi = [
  ('{{ .builtin.cluster.name }}-{{ .builtin.cluster.namespace }}', D),
  ('{{ if semverCompare ">= v1.24" .builtin.cluster.topology.version }}new{{ else }}old{{ end }}', D),
  ('- name: {{ .builtin.cluster.name }}\n  replicas: {{ .builtin.controlPlane.replicas }}', D),
  ('{{- range .additionalImages }}\n- {{ . }}\n{{- end }}', {"additionalImages": ["a:1", "b:2"]}),
  ('{{ .proxy.httpProxy | default "" }}', {"proxy": {}}),
  ('[{{ range $i, $ca := .trust.additionalTrustedCAs }}{{ if $i }},{{ end }}{"name":"{{ $ca.name }}","data":"{{ $ca.data | b64enc }}"}{{ end }}]', {"trust": {"additionalTrustedCAs": [{"name": "a", "data": "pem1"}, {"name": "b", "data": "pem2"}]}}),
  ('{{ printf "%s.%s" .builtin.cluster.name "example.com" | lower }}', D),
  ('content: |\n{{ .files | toJson | indent 2 }}', {"files": {"a": 1}}),
  ('{{- $extra := dict }}{{- range $k, $v := .apiServerExtraArgs }}{{- $_ := set $extra $k $v }}{{- end }}{{ toJson $extra }}', {"apiServerExtraArgs": {"tls-min-version": "VersionTLS12", "audit-log-maxage": "30"}}),
  ('{{ if .controlPlaneCertificateRotation.activate }}{{ .controlPlaneCertificateRotation.daysBefore }}{{ end }}', {"controlPlaneCertificateRotation": {"activate": True, "daysBefore": 90}}),
  ('{{ .podSecurityStandard.enforce | default "baseline" }}:{{ .podSecurityStandard.enforceVersion | default "latest" }}', {"podSecurityStandard": {"enforce": "restricted"}}),
  ('{{ index .network.addressesFromPools 0 "name" }}', {"network": {"addressesFromPools": [{"apiGroup": "ipam.cluster.x-k8s.io", "kind": "InClusterIPPool", "name": "pool1"}]}}),
  ('{{ trimPrefix "v" .builtin.cluster.topology.version | splitList "+" | first }}', D),
  ('{{ $v := semver .builtin.cluster.topology.version }}{{ $v.Major }}.{{ $v.Minor }}', D),
  ('{{ .builtin.controlPlane.replicas | int | add 1 }}', D),
  ('{{ eq .builtin.controlPlane.replicas 3.0 }} {{ gt .builtin.controlPlane.replicas 1.0 }}', D),
  ('{{ .vcenter.server }}:{{ .vcenter.port | default 443 }}', {"vcenter": {"server": "vc.example.com"}}),
  ('{{ toJson .ntpServers }}', {"ntpServers": ["time.google.com", "pool.ntp.org"]}),
]
for t, d in capi: c(G, t, d)


NOTES = {
  '{{ 1i }}': ('Slipway does not support complex constants (Go prints (0+1i))', None, 'template: t:1: complex constants are not supported: 1i'),
  '{{ 3+4i }}': ('Slipway does not support complex constants (Go prints (3+4i))', None, 'template: t:1: complex constants are not supported: 3+4i'),
  '{{ toDate "2006" "2020" }}': ('toDate is left out: it depends on the local time zone', None, 'template: t:1: function "toDate" not defined'),
  '{{ toJson "\\b\\f" }}': ('Go 1.22 encodes \\b and \\f as short escapes (Go 1.19: \\u0008, \\u000c)', '"\\b\\f"', None),
  '{{ call .s }}': ('Go 1.21+ names the callee in this message (Go 1.19: "non-function of type string")', None, 'template: t:1:3: executing "t" at <call .s>: error calling call: non-function .s of type string'),
}
for c in cases:
    if c['t'] in NOTES:
        note, out, err = NOTES[c['t']]
        c['note'] = note
        if out is not None: c['out'] = out
        if err is not None: c['err'] = err
for c in cases:
    if c.get('d') == D:
        del c['d']
        c['ds'] = 'D'
json.dump({"datasets": {"D": D}, "cases": cases}, sys.stdout, ensure_ascii=False)
