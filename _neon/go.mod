module github.com/simdtorch/simdtorch/_neon

go 1.26.0
