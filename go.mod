module github.com/narvik-go/narvik

go 1.25
