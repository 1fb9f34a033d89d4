package main

// encSamples lists one or more instances of every encoding form, with
// registers chosen to exercise every field bit (V31, V16, lanes 1..3).
func encSamples() []Ins {
	var out []Ins
	for _, a := range []Arr{S4, D2} {
		for _, op := range []string{"FADD", "FSUB", "FMUL", "FDIV", "FMAX", "FMIN", "FCMEQ", "FCMGE", "FCMGT", "FACGE", "FACGT", "FMLA", "FMLS", "FADDP"} {
			out = append(out, F3(op, a, 1, 2, 3), F3(op, a, 31, 16, 7))
		}
		for _, op := range []string{"FABS", "FNEG", "FCVTNS", "SCVTF", "FCMEQ0", "FCMGT0", "FCMGE0", "FCMLE0", "FCMLT0"} {
			out = append(out, F2(op, a, 0, 31), F2(op, a, 17, 4))
		}
		for _, op := range []string{"ADD", "SUB", "UZP1", "TRN1", "TRN2"} {
			out = append(out, I3(op, a, 5, 6, 7), I3(op, a, 31, 0, 16))
		}
		for _, op := range []string{"FMLA", "FMLS", "FMUL"} {
			for i := 0; i < a.lanes(); i++ {
				out = append(out, FE(op, a, 3, 4, Lane{V(16 + 5*i), i}), FE(op, a, 31, 0, Lane{V(31 - i), i}))
			}
		}
		for i := 0; i < a.lanes(); i++ {
			out = append(out, DupElem(a, 2, Lane{V(17 + i), i}), DupElem(a, 30, Lane{V(i), i}))
		}
		out = append(out,
			Shift("SHL", a, 1, 2, 23), Shift("SHL", a, 3, 4, 1), Shift("SHL", a, 31, 16, a.esize()-1),
			Shift("SSHR", a, 1, 2, 1), Shift("SSHR", a, 5, 6, 23), Shift("SSHR", a, 31, 16, a.esize()),
			Shift("USHR", a, 1, 2, 1), Shift("USHR", a, 7, 8, 20), Shift("USHR", a, 30, 29, a.esize()),
		)
	}
	out = append(out, I3("UMIN", S4, 1, 2, 3), I3("UMIN", S4, 31, 16, 8))
	for _, op := range []string{"AND", "BIC", "ORR", "ORN", "EOR", "BSL", "BIT", "BIF"} {
		out = append(out, L3(op, 1, 2, 3), L3(op, 31, 16, 8))
	}
	out = append(out,
		Reduce("FMAXV", S4, 0, 1), Reduce("FMAXV", S4, 31, 16),
		Reduce("UMINV", S4, 0, 1), Reduce("UMINV", S4, 31, 16),
		Reduce("FMAXP", D2, 0, 1), Reduce("FMAXP", D2, 31, 16),
		Reduce("FADDP", S4, 0, 1), Reduce("FADDP", S4, 31, 16),
		Reduce("FADDP", D2, 0, 1), Reduce("FADDP", D2, 31, 16),
	)
	return out
}
