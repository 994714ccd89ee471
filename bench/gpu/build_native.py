"""Builds the native shim with g++ from the running Python torch's own paths and flags: run.sh's second way, taken
only when CMake cannot configure against that torch (its CUDA, cuDNN and NVTX look-ups are what fails with pip
wheels). The same sources and defines as src/Runtime/Native/CMakeLists.txt, MDSL_WITH_CUDA where torch has CUDA.
Usage: python3 build_native.py SOURCE_DIR OUTPUT_DIR  (writes OUTPUT_DIR/libmodeldsl_native.so)"""
import concurrent.futures, glob, os, subprocess, sys

import torch
from torch.utils import cpp_extension


def cuda_runtime():
    """libcudart from the toolkit torch found, else from the nvidia-* wheels beside torch (cu12: nvidia/cuda_runtime,
    cu13: nvidia/cu13)."""
    home = cpp_extension.CUDA_HOME
    wheels = os.path.join(os.path.dirname(os.path.dirname(torch.__file__)), "nvidia")
    places = [f"{home}/lib64", f"{home}/lib", f"{home}/targets/*/lib"] if home else []
    places.append(f"{wheels}/*/lib")
    for place in places:
        found = sorted(glob.glob(f"{place}/libcudart.so*"))
        if found:
            return found[0]
    sys.exit(f"build_native: torch has CUDA but no libcudart was found in {places} (set CUDA_HOME)")


def main():
    source, output = sys.argv[1], sys.argv[2]
    os.makedirs(output, exist_ok=True)
    cuda = torch.version.cuda is not None
    try:
        includes = cpp_extension.include_paths(device_type="cuda" if cuda else "cpu")
    except TypeError:  # before torch 2.6: include_paths(cuda: bool)
        includes = cpp_extension.include_paths(cuda=cuda)
    library = os.path.join(os.path.dirname(torch.__file__), "lib")
    standard = "c++20" if int(torch.__version__.split(".")[0]) >= 2 else "c++17"
    flags = [f"-std={standard}", "-fPIC", "-O3", "-fno-math-errno", "-fno-trapping-math", "-fvisibility=hidden",
             f"-D_GLIBCXX_USE_CXX11_ABI={int(torch._C._GLIBCXX_USE_CXX11_ABI)}"]
    flags += ["-DMDSL_WITH_CUDA"] if cuda else []
    flags += [f"-I{path}" for path in includes]
    sources = sorted(glob.glob(os.path.join(source, "*.cpp")))

    def compile_one(path):
        target = os.path.join(output, os.path.basename(path) + ".o")
        subprocess.run(["g++", *flags, "-c", path, "-o", target], check=True)
        return target

    with concurrent.futures.ThreadPoolExecutor(os.cpu_count()) as pool:
        objects = list(pool.map(compile_one, sources))
    # --no-as-needed keeps libtorch_cuda linked although the shim names few of its symbols: without it the CUDA
    # kernels are never registered and every CUDA op fails.
    libraries = ["-Wl,--no-as-needed", "-ltorch_cuda", "-lc10_cuda", cuda_runtime(), "-Wl,--as-needed"] if cuda else []
    libraries += ["-ltorch", "-ltorch_cpu", "-lc10"]
    subprocess.run(["g++", "-shared", "-o", os.path.join(output, "libmodeldsl_native.so"), *objects,
                    f"-L{library}", f"-Wl,-rpath,{library}", *libraries], check=True)
    print(f"modeldsl_native: built with g++ against torch {torch.__version__}, "
          f"{'CUDA ' + torch.version.cuda if cuda else 'CPU only'}")


main()
