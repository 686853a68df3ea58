// The widget issue replaces this with the real esbuild build and size budget.
console.log('widget: nothing to build yet')
