{
  "targets": [
    {
      "target_name": "contraseg",
      "sources": ["src/addon.cc", "src/handle.cc", "src/args.cc", "src/tensor.cc", "src/ops.cc", "src/ops_nn.cc",
                  "src/rng.cc", "src/dist.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "<!@(node libtorch.mjs include)"],
      "defines": ["NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_CPP_EXCEPTIONS_ALL", "_GLIBCXX_USE_CXX11_ABI=1"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++14"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O2", "-Wno-unused-parameter", "-Werror=unused-function"],
      "conditions": [
        ["'<!(node libtorch.mjs cuda)'=='1'", {
          "defines": ["CONTRASEG_CUDA"],
          "libraries": ["-L<!(node libtorch.mjs libdir)", "-Wl,-rpath,<!(node libtorch.mjs libdir)",
                        "-Wl,--no-as-needed", "-ltorch_cuda", "-lc10_cuda", "-Wl,--as-needed",
                        "-ltorch", "-ltorch_cpu", "-lc10"]
        }, {
          "libraries": ["-L<!(node libtorch.mjs libdir)", "-Wl,-rpath,<!(node libtorch.mjs libdir)",
                        "-ltorch", "-ltorch_cpu", "-lc10"]
        }]
      ]
    }
  ]
}
