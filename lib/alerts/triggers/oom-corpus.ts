/**
 * Real log lines for the OOM detector (`resource.trigger.ts`), as data.
 *
 * Positives are copied from the frameworks' public sources and from users' reports in
 * GitHub issues, variable parts (sizes, pids, paths, timestamps) included; `source`
 * says where each came from. Negatives mention memory, OOM, 137 or "killed" without
 * being an out-of-memory report; `why` records the decision for the borderline ones.
 * Lines marked "synthetic" are typical log/config lines written for the corpus.
 */
import type { OomSignatureName } from "./resource.trigger";

export interface OomPositive {
  /** The signature family the detector must report. */
  framework: OomSignatureName;
  /** Repository path or issue URL the line was copied from. */
  source: string;
  line: string;
}

export interface OomNegative {
  source: string;
  line: string;
  /** Why this is not an out-of-memory report. */
  why: string;
}

export interface OomLogBlock {
  name: string;
  source: string;
  lines: readonly string[];
  /** The first OOM in the block, or undefined when there is none. */
  expected: { framework: OomSignatureName; lineIndex: number } | undefined;
}

const SYNTHETIC = "synthetic";
const TORCH_SUMMARY =
  "pytorch/pytorch torch/cuda/memory.py memory_summary() output, as printed in https://github.com/pytorch/pytorch/issues/175431";

export const OOM_POSITIVES: readonly OomPositive[] = [
  // PyTorch, CUDA
  {
    framework: "pytorch-cuda",
    source: "https://github.com/murong-xu/CADS/issues/4",
    line: "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 22.78 GiB. GPU 0 has a total capacity of 31.47 GiB of which 12.73 GiB is free. Including non-PyTorch memory, this process has 18.73 GiB memory in use. Of the allocated memory 9.08 GiB is allocated by PyTorch, and 9.35 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)",
  },
  {
    framework: "pytorch-cuda",
    source: "https://github.com/carolchenyx/MGFN./issues/35",
    line: "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.70 GiB. GPU 0 has a total capacty of 6.00 GiB of which 0 bytes is free. Of the allocated memory 2.93 GiB is allocated by PyTorch, and 2.30 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting max_split_size_mb to avoid fragmentation.  See documentation for Memory Management and PYTORCH_CUDA_ALLOC_CONF",
  },
  {
    framework: "pytorch-cuda",
    source: "https://github.com/pytorch/pytorch/issues/16417",
    line: "RuntimeError: CUDA out of memory. Tried to allocate 12.50 MiB (GPU 0; 10.92 GiB total capacity; 8.57 MiB already allocated; 9.28 GiB free; 4.68 MiB cached)",
  },
  {
    framework: "pytorch-cuda",
    source: "https://github.com/Li-Chongyi/Zero-DCE/issues/52",
    line: "OutOfMemoryError: CUDA out of memory. Tried to allocate 1.71 GiB (GPU 0; 6.00 GiB total capacity; 3.49 GiB already allocated; 1.04 GiB free; 3.50 GiB reserved in total by PyTorch) If reserved memory is >> allocated memory try setting max_split_size_mb to avoid fragmentation.  See documentation for Memory Management and PYTORCH_CUDA_ALLOC_CONF",
  },
  {
    framework: "pytorch-cuda",
    source: "https://github.com/lllyasviel/FramePack/issues/369",
    line: "...CUDA out of memory. Tried to allocate 30.29 GiB. GPU 0 has a total capacity of 10.74 GiB of which 3.69 GiB is free. Including non-PyTorch memory, this process has 6.68 GiB memory in use. Of the allocated memory 6.10 GiB is allocated by PyTorch, and 396.58 MiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)",
  },
  {
    framework: "pytorch-cuda",
    source: "https://github.com/NVIDIA/nccl/issues/1284",
    line: "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate more than 1EB memory.",
  },
  {
    framework: "pytorch-cuda",
    source: "https://github.com/taohan10200/IIM/issues/28",
    line: "RuntimeError: CUDA error: out of memory",
  },
  {
    framework: "pytorch-cuda",
    source: "https://github.com/bluer555/CR-GAN/issues/8",
    line: "RuntimeError: CUDA error:out of memory",
  },
  {
    framework: "pytorch-cuda",
    source: "https://github.com/deepbeepmeep/Wan2GP/issues/1083",
    line: "torch.AcceleratorError: CUDA error: out of memory",
  },
  {
    framework: "pytorch-cuda",
    source: "https://github.com/Comfy-Org/ComfyUI/issues/12366",
    line: "CUDA error: out of memorySearch for `cudaErrorMemoryAllocation' in https://docs.nvidia.com/cuda/cuda-runtimAe-api/group__CUDRT__TYPES.html for more information.CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.For debugging consider passing",
  },
  {
    framework: "pytorch-cuda",
    source: "https://github.com/ruoqianguo/DetNet_pytorch/issues/10",
    line: "RuntimeError: cuda runtime error (2) : out of memory at /opt/conda/conda-bld/pytorch_1513363039688/work/torch/lib/THC/generic/THCStorage.cu:58",
  },
  {
    framework: "pytorch-cuda",
    source: "https://github.com/chenyuntc/pytorch-best-practice/issues/3",
    line: "RuntimeError:cuda runtime error(2):out of memory",
  },
  {
    framework: "pytorch-cuda",
    source: "https://github.com/AIFSH/ComfyUI-ChatTTS/issues/9",
    line: "torch.cuda.OutOfMemoryError: Allocation on device 0 would exceed allowed memory. (out of memory)",
  },
  {
    framework: "pytorch-cuda",
    source: "https://github.com/continue-revolution/sd-webui-animatediff/issues/320",
    line: "OutOfMemoryError: Allocation on device 0 would exceed allowed memory. (out of memory) Currently allocated : 12.20 GiB Requested : 1.88 GiB Device limit : 16.00 GiB Free (according to CUDA): 0 bytes PyTorch limit (set by user-supplied memory fraction) : 17179869184.00 GiB",
  },
  {
    framework: "pytorch-cuda",
    source: "https://github.com/Comfy-Org/ComfyUI/issues/4880",
    line: "torch.OutOfMemoryError: Allocation on device ",
  },

  // PyTorch, ROCm/HIP
  {
    framework: "pytorch-rocm",
    source: "https://github.com/kyuz0/amd-strix-halo-image-video-toolboxes/issues/3",
    line: "torch.OutOfMemoryError: HIP out of memory. Tried to allocate 3.31 GiB. GPU 0 has a total capacity of 128.00 GiB of which 780.24 MiB is free. Of the allocated memory 57.70 GiB is allocated by PyTorch, and 75.82 MiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_HIP_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)",
  },
  {
    framework: "pytorch-rocm",
    source: "https://github.com/pytorch/pytorch/issues/134208",
    line: "!!! Exception during processing !!! HIP out of memory. Tried to allocate 35.31 GiB. GPU 0 has a total capacity of 19.94 GiB of which 13.47 GiB is free. Of the allocated memory 5.17 GiB is allocated by PyTorch, and 259.56 MiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_HIP_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)",
  },
  {
    framework: "pytorch-rocm",
    source: "https://github.com/pytorch/pytorch/issues/175431",
    line: "torch.OutOfMemoryError: HIP out of memory. Tried to allocate 2.00 MiB. GPU 7 has a total capacity of 287.98 GiB of which 203.49 GiB is free. Of the allocated memory 68.63 GiB is allocated by PyTorch, and 14.93 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)",
  },
  {
    framework: "pytorch-rocm",
    source: "https://github.com/vladmandic/sdnext/issues/4801",
    line: "Search for `hipErrorOutOfMemory' in https://rocm.docs.amd.com/projects/HIP/en/latest/index.html for more information.",
  },
  {
    framework: "pytorch-rocm",
    source: "https://github.com/ROCm/hip/issues/2132",
    line: "System freezes after error: 'hipErrorOutOfMemory'(2) at square.cpp:76",
  },

  // PyTorch, Apple MPS
  {
    framework: "pytorch-mps",
    source: "https://github.com/lllyasviel/Fooocus/issues/1139",
    line: "RuntimeError: MPS backend out of memory (MPS allocated: 8.89 GB, other allocations: 172.98 MB, max allowed: 9.07 GB). Tried to allocate 6.25 MB on private pool. Use PYTORCH_MPS_HIGH_WATERMARK_RATIO=0.0 to disable upper limit for memory allocations (may cause system failure).",
  },
  {
    framework: "pytorch-mps",
    source: "https://github.com/pinokiocomputer/pinokio/issues/941",
    line: "MPS backend out of memory (MPS allocated: 16.00 GB, other allocations: 3.31 GB, max allowed: 18.13 GB). Tried to allocate 256 bytes on shared pool. Use PYTORCH_MPS_HIGH_WATERMARK_RATIO=0.0 to disable upper limit for memory allocations (may cause system failure).",
  },
  {
    framework: "pytorch-mps",
    source: "https://github.com/Comfy-Org/ComfyUI/issues/7440",
    line: "MPS backend out of memory (MPS allocated: 9.57 GiB, other allocations: 17.35 GiB, max allowed: 27.20 GiB). Tried to allocate 292.50 MiB on private pool. Use PYTORCH_MPS_HIGH_WATERMARK_RATIO=0.0 to disable upper limit for memory allocations (may cause system failure).",
  },

  // PyTorch, Intel XPU
  {
    framework: "pytorch-xpu",
    source: "https://github.com/intel/intel-extension-for-pytorch/issues/846",
    line: "torch.OutOfMemoryError: XPU out of memory. Tried to allocate 8.00 GiB. GPU 0 has a total capacity of 15.11 GiB. Of the allocated memory 0 bytes is allocated by PyTorch, and 0 bytes is reserved by PyTorch but unallocated. Please use `empty_cache` to release all unoccupied cached memory.",
  },
  {
    framework: "pytorch-xpu",
    source: "https://github.com/intel/intel-extension-for-pytorch/issues/629",
    line: "RuntimeError: XPU out of memory. Tried to allocate 1.71 GiB (GPU 0; 15.56 GiB total capacity; 0 bytes already allocated; 0 bytes reserved in total by PyTorch)",
  },

  // PyTorch, host memory
  {
    framework: "pytorch-cpu",
    source: "https://github.com/JingyunLiang/VRT/issues/49",
    line: "RuntimeError: [enforce fail at alloc_cpu.cpp:73] . DefaultCPUAllocator: can't allocate memory: you tried to allocate 116813856768 bytes. Error code 12 (Cannot allocate memory)",
  },
  {
    framework: "pytorch-cpu",
    source: "https://github.com/MaximeVandegar/Papers-in-100-Lines-of-Code/issues/10",
    line: String.raw`RuntimeError: [enforce fail at C:\b\abs_bao0hdcrdh\croot\pytorch_1675190257512\work\c10\core\impl\alloc_cpu.cpp:81] data. DefaultCPUAllocator: not enough memory: you tried to allocate 1981808640 bytes.`,
  },
  {
    framework: "pytorch-cpu",
    source: "https://github.com/pytorch/pytorch/issues/31302",
    line: "RuntimeError: [enforce fail at CPUAllocator.cpp:56] posix_memalign(&data, gAlignment, nbytes) == 0. 12 vs 0",
  },

  // Python / NumPy host memory
  {
    framework: "python-memoryerror",
    source: "https://github.com/ru1ven/KeypointFusion/issues/3",
    line: "numpy.core._exceptions._ArrayMemoryError: Unable to allocate 58.0 GiB for an array with shape (176351, 176460) and data type uint16",
  },
  {
    framework: "python-memoryerror",
    source: "https://github.com/djbielejeski/a-person-mask-generator/issues/87",
    line: "numpy._core._exceptions._ArrayMemoryError: Unable to allocate 32.0 GiB for an array with shape (2048, 2048, 2048, 4) and data type uint8",
  },
  {
    framework: "python-memoryerror",
    source: "https://github.com/theislab/single-cell-tutorial/issues/85",
    line: "numpy.core._exceptions.MemoryError: Unable to allocate 926. GiB for an array with shape (6794880, 36601) and data type float32",
  },
  {
    framework: "python-memoryerror",
    source: "https://github.com/juntang-zhuang/LadderNet/issues/3",
    line: "MemoryError",
  },

  // TensorFlow
  {
    framework: "tensorflow",
    source: "https://github.com/tensorflow/tensorflow/issues/17669",
    line: "ResourceExhaustedError (see above for traceback): OOM when allocating tensor with shape[1,5095,3729,3]",
  },
  {
    framework: "tensorflow",
    source: "https://github.com/santi-pdp/segan/issues/42",
    line: "ResourceExhaustedError (see above for traceback): OOM",
  },
  {
    framework: "tensorflow",
    source: "https://github.com/kamalkraj/BERT-NER-TF/issues/20",
    line: "tensorflow.python.framework.errors_impl.ResourceExhaustedError: OOM when allocating tensor with shape[128,768] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc [Op:StridedSliceGrad]",
  },
  {
    framework: "tensorflow",
    source: "https://github.com/Azure/MachineLearningNotebooks/issues/880",
    line: "  (0) Resource exhausted: OOM when allocating tensor with shape[16,112,112,147] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc",
  },
  {
    framework: "tensorflow",
    source: "https://github.com/zzw922cn/Automatic_Speech_Recognition/issues/78",
    line: "2018-06-08 17:26:00.908130: W tensorflow/core/framework/op_kernel.cc:1202] OP_REQUIRES failed at tile_ops.cc:123 : Resource exhausted: OOM when allocating tensor with shape[16,1,892800,8,4,2,2] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc",
  },
  {
    framework: "tensorflow",
    source: "https://github.com/lc222/seq2seq_chatbot_new/issues/19",
    line: "tensorflow.python.framework.errors_impl.ResourceExhaustedError: OOM when allocating tensor of shape [4096] and type float",
  },
  {
    framework: "tensorflow",
    source: "https://github.com/faustomorales/keras-ocr/issues/195",
    line: "ResourceExhaustedError: failed to allocate memory [Op:AddV2]",
  },
  {
    framework: "tensorflow",
    source: "https://github.com/faustomorales/keras-ocr/issues/195",
    line: "RESOURCE_EXHAUSTED: failed to allocate memory",
  },
  {
    framework: "tensorflow",
    source: "https://github.com/knaw-huc/loghi/issues/55",
    line: "9:07:50.044545: W external/local_xla/xla/tsl/framework/bfc_allocator.cc:501] Allocator (GPU_0_bfc) ran out of memory trying to allocate 34.10MiB (rounded to 35758080)requested by op StatefulPartitionedCall/model_new14_1/batch_normalization_36_1/moments/SquaredDifference",
  },
  {
    framework: "tensorflow",
    source: "https://github.com/CharlesShang/FastMaskRCNN/issues/129",
    line: ": F tensorflow/core/common_runtime/gpu/gpu_device.cc:103] EigenAllocator for GPU ran out of memory when allocating 0. See error logs for more detailed info.",
  },

  // JAX / XLA
  {
    framework: "jax-xla",
    source: "https://github.com/google-deepmind/alphafold/issues/1023",
    line: "jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to allocate 7406166528 bytes.",
  },
  {
    framework: "jax-xla",
    source: "https://github.com/onpix/LLNeRF/issues/9",
    line: "jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory allocating 20029400304 bytes.",
  },
  {
    framework: "jax-xla",
    source: "https://github.com/sokrypton/ColabFold/issues/65",
    line: "RuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to allocate 14285187448 bytes.",
  },
  {
    framework: "jax-xla",
    source: "https://github.com/jax-ml/jax/issues/4994",
    line: "FAILED tests/core_test.py::CoreTest::test_jit_42 - RuntimeError: Resource exhausted: Out of memory while trying to allocate 24 bytes.",
  },
  {
    framework: "jax-xla",
    source: "https://github.com/google-deepmind/jax_privacy/issues/10",
    line: "Original error: RESOURCE_EXHAUSTED: Failed to allocate request for 176.00MiB (184549376B) on device ordinal 0",
  },
  {
    framework: "jax-xla",
    source: "https://github.com/iit-DLSLab/mpx/issues/11",
    line: "E1122 00:10:47.231964  290312 pjrt_stream_executor_client.cc:3077] Execution of replica 0 failed: RESOURCE_EXHAUSTED: Failed to load in-memory CUBIN (compiled for a different GPU?).: CUDA_ERROR_OUT_OF_MEMORY: out of memory",
  },
  {
    framework: "jax-xla",
    source: "https://github.com/pytorch/xla/issues/9524",
    line: "RuntimeError: Bad StatusOr access: RESOURCE_EXHAUSTED: XLA:TPU compile permanent error. Ran out of memory in memory space vmem.",
  },

  // NCCL
  {
    framework: "nccl",
    source: "https://github.com/NVIDIA/nccl/issues/1235",
    line: "ng30903:3063028:3066152 [3] include/alloc.h:178 NCCL WARN Cuda failure 'out of memory'",
  },
  {
    framework: "nccl",
    source: "https://github.com/NVIDIA/nccl/issues/1235",
    line: "ng30903:3063028:3066152 [3] include/alloc.h:185 NCCL WARN Failed to CUDA calloc 6291456 bytes",
  },
  {
    framework: "nccl",
    source: "https://github.com/NVIDIA/TensorRT-LLM/issues/1670",
    line: "VM-0-16-ubuntu:392:494 [2] enqueue.cc:43 NCCL WARN Cuda failure 'out of memory'",
  },
  {
    framework: "nccl",
    source: "https://github.com/PKU-YuanGroup/Open-Sora-Plan/issues/386",
    line: "ins-7df6eojsifuykig9:3018451:3018451 [0] enqueue.cc:1085 NCCL WARN Cuda failure 'out of memory'",
  },

  // cuBLAS / cuDNN
  {
    framework: "cublas",
    source: "https://github.com/QwenLM/Qwen3/issues/873",
    line: "RuntimeError: CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`",
  },
  {
    framework: "cublas",
    source: "https://github.com/tensorflow/tensorflow/issues/7072",
    line: String.raw`E c:\tf_jenkins\home\workspace\release-win\device\gpu\os\windows\tensorflow\stream_executor\cuda\cuda_blas.cc:372] failed to create cublas handle: CUBLAS_STATUS_ALLOC_FAILED`,
  },
  {
    framework: "cublas",
    source: "https://github.com/microsoft/CNTK/issues/1688",
    line: "RuntimeError: CUBLAS failure 3: CUBLAS_STATUS_ALLOC_FAILED ; GPU=0 ; ",
  },
  {
    framework: "cudnn",
    source: "https://github.com/torch/torch7/issues/780",
    line: "/home/usrname/torch/install/share/lua/5.1/cudnn/init.lua:118: Error in CuDNN: CUDNN_STATUS_ALLOC_FAILED (cudnnFindConvolutionForwardAlgorithm)",
  },
  {
    framework: "cudnn",
    source: "https://github.com/microsoft/CNTK/issues/220",
    line: "cuDNN failure 2: CUDNN_STATUS_ALLOC_FAILED ; GPU=0 ; hostname=PTNUWCL5099642 ; expr=finder(calgo, algoPerf)",
  },
  {
    framework: "cudnn",
    source: "https://github.com/ElegantGod/SSHA/issues/5",
    line: "mxnet.base.MXNetError: [16:26:09] src/operator/nn/./cudnn/cudnn_convolution-inl.h:713: Check failed: e == CUDNN_STATUS_SUCCESS (2 vs. 0) cuDNN: CUDNN_STATUS_ALLOC_FAILED",
  },
  {
    framework: "cudnn",
    source: "https://github.com/tensorflow/tensorflow/issues/39989",
    line: "Could not create cudnn handle: CUDNN_STATUS_ALLOC_FAILED",
  },

  // Linux OOM killer, as the kernel, Slurm, Kubernetes and systemd report it
  {
    framework: "linux-oom-killer",
    source: "https://github.com/0jc1/py-autovod/issues/7",
    line: "[Sun Mar 30 08:24:00 2025] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/init.scope,task=python,pid=7899,uid=0",
  },
  {
    framework: "linux-oom-killer",
    source: "https://github.com/0jc1/py-autovod/issues/7",
    line: "[Sun Mar 30 08:24:00 2025] Out of memory: Killed process 7899 (python) total-vm:26,184,840kB, anon-rss:153,700,88kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:38964kB oom_score_adj:0",
  },
  {
    framework: "linux-oom-killer",
    source: "https://github.com/intel/platform-resource-manager/issues/42",
    line: "[Thu Mar 14 01:57:54 2019] Out of memory: Kill process 89746 (python) score 1031 or sacrifice child",
  },
  {
    framework: "linux-oom-killer",
    source: "https://github.com/intel/platform-resource-manager/issues/42",
    line: "[Thu Mar 14 01:57:55 2019] Killed process 89746 (python) total-vm:118026216kB, anon-rss:109819332kB, file-rss:3324kB, shmem-rss:0kB",
  },
  {
    framework: "linux-oom-killer",
    source: "https://github.com/kubernetes/kubernetes/issues/56891",
    line: "[Thu Dec  7 00:05:15 2017] Memory cgroup out of memory: Kill process 24572 (java) score 0 or sacrifice child",
  },
  {
    framework: "linux-oom-killer",
    source: "https://github.com/docker/for-linux/issues/1001",
    line: "May 15 23:09:30 ubuntu-s-1vcpu-2gb-ams3-01 kernel: [  518.050606] Out of memory: Killed process 15784 (python3) total-vm:11964kB, anon-rss:4288kB, file-rss:3028kB, shmem-rss:0kB",
  },
  {
    framework: "linux-oom-killer",
    source: "https://github.com/DataONEorg/d1_python/issues/14",
    line: "Dec 13 06:35:08 ncei kernel: [10412914.856904] gmain invoked oom-killer: gfp_mask=0x24201ca, order=0, oom_score_adj=0",
  },
  {
    framework: "linux-oom-killer",
    source: "https://github.com/openbmc/openbmc/issues/1887",
    line: "[ 4022.980000] oom_reaper: reaped process 935 (python), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
  },
  {
    framework: "linux-oom-killer",
    source: "https://github.com/ArjunaCluster/ArjunaUsers/issues/52",
    line: "slurmstepd: error: Detected 1 oom-kill event(s) in StepId=191.batch cgroup. Some of your processes may have been killed by the cgroup out-of-memory handler.",
  },
  {
    framework: "linux-oom-killer",
    source: "https://github.com/nextflow-io/nextflow/issues/5932",
    line: "slurmstepd: error: Detected 1 oom_kill event in StepId=11300781.0. Some of the step tasks have been OOM Killed.",
  },
  {
    framework: "linux-oom-killer",
    source: "https://github.com/hafs-community/HAFS/issues/101",
    line: "srun: error: Orion-01-01: task 4: Out Of Memory",
  },
  {
    framework: "linux-oom-killer",
    source: "https://github.com/gimlet-io/gimlet/issues/649",
    line: "  Reason:       OOMKilled",
  },
  {
    framework: "linux-oom-killer",
    source: "https://github.com/hmcts/cnp-flux-config/pull/28772",
    line: "tax-tribunals-application-base-74464f6b98-2kj6g      0/1     OOMKilled   4 (57s ago)   2m40s",
  },
  {
    framework: "linux-oom-killer",
    source: "https://github.com/kubernetes/website/pull/12576",
    line: "Warning OOMKilling  Memory cgroup out of memory: Kill process 4481 (stress) score 1994 or sacrifice child",
  },
  {
    framework: "linux-oom-killer",
    source: "https://github.com/bennettoxford/openprescribing/issues/5431",
    line: "2026-02-08T00:40:07.136582+00:00 largeweb2 systemd[1]: user-1021.slice: A process of this unit has been killed by the OOM killer.",
  },
  {
    framework: "linux-oom-killer",
    source:
      "a public erigon node write-up (journalctl); the 'oom-kill' service result is systemd's, https://github.com/systemd/systemd/pull/22629",
    line: "Sep 23 14:09:19 ip-172-31-16-253 systemd[1]: erigon.service: Failed with result 'oom-kill'.",
  },

  // SIGKILL / exit code 137
  {
    framework: "exit-137",
    source: "https://github.com/ArjunaCluster/ArjunaUsers/issues/52",
    line: "Killed",
  },
  {
    framework: "exit-137",
    source: "https://github.com/ArjunaCluster/ArjunaUsers/issues/52",
    line: "/var/spool/slurmd/job00191/slurm_script: line 28:  8156 Killed                  python3 main.py --prop hform --epochs 400 --lr_milestones 50 100 200 --gamma 0.25 --normalizing_const_AO 10000.0 --lr_generator 0.001 --lr_conv 0.001",
  },
  {
    framework: "exit-137",
    source: "https://github.com/adtac/commento/issues/52",
    line: "[1]    88696 killed     ./commento",
  },
  {
    framework: "exit-137",
    source: "https://github.com/podman-container-tools/podman/issues/10825",
    line: "Apr 17 15:57:31 runner01 gitlab-runner[1701482]: #033[0;33mWARNING: Job failed: exit code 137",
  },
  {
    framework: "exit-137",
    source: "https://github.com/mozilla/addons/issues/5259",
    line: "Exited with code 137",
  },
  {
    framework: "exit-137",
    source: "https://github.com/open-webui/open-webui/issues/6168",
    line: "server-1 exited with code 137",
  },
  {
    framework: "exit-137",
    source: "https://github.com/treygrainger/ai-powered-search/issues/49",
    line: "failed to solve: rpc error: code = Unknown desc = executor failed running [/bin/bash -o pipefail -c python -m pip install --upgrade pip &&   pip install -r requirements.txt]: exit code: 137",
  },
  {
    framework: "exit-137",
    source: "https://github.com/numerai/numerai-cli/issues/24",
    line: String.raw`subprocess.CalledProcessError: Command 'docker run --rm -it -v C:\numerai:/opt/app -w /opt/app 105816820129.dkr.ecr.us-east-1.amazonaws.com/numerai-submission python train.py' returned non-zero exit status 137.`,
  },
  {
    framework: "exit-137",
    source: "https://github.com/noelshin/selfmask/issues/11",
    line: "Process finished with exit code 137 (interrupted by signal 9:SIGKILL)",
  },
  {
    framework: "exit-137",
    source: "https://github.com/gimlet-io/gimlet/issues/649",
    line: "  Exit Code:    137",
  },
  {
    framework: "exit-137",
    source: "https://github.com/kubernetes/kubernetes/issues/19825",
    line: '        "ExitCode": 137,',
  },
  {
    framework: "exit-137",
    source: "https://github.com/openedx-unsupported/devstack/pull/205",
    line: "Build failed running pavelib.assets.update_assets: Subprocess return code: 137",
  },
  {
    framework: "exit-137",
    source: "https://github.com/hpcaitech/ColossalAI/issues/3514",
    line: "ERROR:torch.distributed.elastic.multiprocessing.api:failed (exitcode: -9) local_rank: 3 (pid: 812917) of binary: /data/chenhao/anaconda3/envs/ColossalAI-Chat/bin/python",
  },
  {
    framework: "exit-137",
    source:
      "pytorch/pytorch torch/distributed/elastic/multiprocessing/errors/__init__.py (ChildFailedError root-cause format, see https://github.com/pytorch/pytorch/pull/175254)",
    line: "  exitcode  : -9 (pid: 8158)",
  },
  {
    framework: "exit-137",
    source: "https://github.com/fidelity/stoke/issues/31",
    line: "  traceback : Signal 9 (SIGKILL) received by PID 10398",
  },
  {
    framework: "exit-137",
    source: "https://github.com/PacificBiosciences/kineticsTools/issues/82",
    line: "[ERROR] [root monitorChildProcesses 593] Child process exited with exitcode=-9. Aborting.",
  },
  {
    framework: "exit-137",
    source: "https://github.com/dagster-io/dagster/issues/8567",
    line: "child process for step <step> unexpectedly exited with code -9",
  },
  {
    framework: "exit-137",
    source: "https://github.com/lyu-yx/ACUMEN/issues/4",
    line: "torch.multiprocessing.spawn.ProcessExitedException: process 0 terminated with signal SIGKILL",
  },
  {
    framework: "exit-137",
    source: "https://github.com/jeffffffli/HybrIK/issues/198",
    line: "Exception: process 3 terminated with signal SIGKILL",
  },
  {
    framework: "exit-137",
    source: "https://github.com/hezhangsprinter/DCPDN/issues/12",
    line: "RuntimeError: DataLoader worker (pid 19597) is killed by signal: Killed.",
  },
  {
    framework: "exit-137",
    source: "https://github.com/eclipse-archived/codewind/issues/189",
    line: "10:12:42  go build crypto/elliptic: /usr/local/go/pkg/tool/linux_amd64/compile: signal: killed",
  },
  {
    framework: "exit-137",
    source: "https://github.com/bmaltais/kohya_ss/issues/1065",
    line: "died with <Signals.SIGKILL: 9>.",
  },
  {
    framework: "exit-137",
    source: "https://github.com/systemd/systemd/issues/20118",
    line: "testsuite-55-testbloat.service: Main process exited, code=killed, status=9/KILL",
  },
];

export const OOM_NEGATIVES: readonly OomNegative[] = [
  // Memory summaries and statistics
  {
    source: TORCH_SUMMARY,
    line: "|                  PyTorch CUDA memory summary, device ID 0                 |",
    why: "a summary header",
  },
  {
    source: TORCH_SUMMARY,
    line: "|            CUDA OOMs: 0            |        cudaMalloc retries: 0         |",
    why: "a counter; the OOM itself, when there is one, is its own line",
  },
  {
    source: TORCH_SUMMARY,
    line: "|        Metric         | Cur Usage  | Peak Usage | Tot Alloc  | Tot Freed  |",
    why: "a table header",
  },
  {
    source: TORCH_SUMMARY,
    line: "| Allocated memory      | 184648 KiB | 192833 KiB | 258378 KiB |  73729 KiB |",
    why: "a usage figure",
  },
  {
    source: TORCH_SUMMARY,
    line: "|       from large pool | 184576 KiB | 192768 KiB | 254208 KiB |  69632 KiB |",
    why: "a usage figure",
  },
  {
    source: SYNTHETIC,
    line: "Max memory allocated: 10.21 GB",
    why: "torch.cuda.max_memory_allocated() logged by a training script",
  },
  { source: SYNTHETIC, line: "GPU memory usage: 78%", why: "a usage figure" },
  { source: SYNTHETIC, line: "Reserved memory: 10 GiB", why: "a usage figure" },
  {
    source: "https://github.com/zzw922cn/Automatic_Speech_Recognition/issues/78",
    line: "MaxAllocSize:           3656908800",
    why: "TF BFC allocator statistics",
  },
  {
    source: "https://github.com/tensorflow/tensorflow/issues/9489",
    line: "totalMemory: 3.94GiB freeMemory: 187.62MiB",
    why: "TF device discovery at start-up",
  },
  {
    source:
      "tensorflow/tensorflow tensorflow/core/common_runtime/gpu/gpu_device.cc start-up log, as printed in public training logs",
    line: "2023-02-12 09:34:42.502658: I tensorflow/core/common_runtime/gpu/gpu_device.cc:1613] Created device /device:GPU:0 with 9920 MB memory:  -> device: 0, name: NVIDIA TITAN V, pci bus id: 0000:19:00.0, compute capability: 7.0",
    why: "TF reserving device memory at start-up",
  },
  {
    source: "https://github.com/patrickbryant1/AFProfile/issues/8",
    line: "     preallocated temp allocation:    4.44GiB",
    why: "XLA buffer-assignment statistics",
  },
  {
    source: "https://github.com/ultralytics/ultralytics/issues/12905",
    line: "aetech:1315:1371 [3] NCCL INFO init.cc:310 Mem Alloc Size 32 pointer 0x7f081805a050",
    why: "NCCL debug trace of a successful allocation",
  },
  {
    source: "https://github.com/equinor/ert/issues/7797",
    line: "2024-04-29T14:55:41,678996+02:00 [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
    why: "the header of the kernel's task table; oom_score_adj is a column name",
  },

  // Flags and configuration names
  {
    source: SYNTHETIC,
    line: "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True",
    why: "allocator configuration",
  },
  {
    source: SYNTHETIC,
    line: "Setting max_split_size_mb:512 via PYTORCH_CUDA_ALLOC_CONF",
    why: "allocator configuration",
  },
  {
    source: SYNTHETIC,
    line: "XLA_FLAGS=--xla_gpu_memory_fraction=0.9",
    why: "a flag name",
  },
  { source: SYNTHETIC, line: "TF_FORCE_GPU_ALLOW_GROWTH=true", why: "a flag name" },
  { source: SYNTHETIC, line: "XLA_PYTHON_CLIENT_MEM_FRACTION=.75", why: "a flag name" },
  {
    source: "https://github.com/jax-ml/jax/issues/788",
    line: "XLA_PYTHON_CLIENT_PREALLOCATE=false",
    why: "a flag name",
  },
  {
    source: SYNTHETIC,
    line: "Enabling gradient_checkpointing to reduce memory usage",
    why: "a configuration notice",
  },
  {
    source: SYNTHETIC,
    line: "echo -1000 > /proc/self/oom_score_adj",
    why: "a setting, not a kill",
  },
  {
    source: SYNTHETIC,
    line: "registered out_of_memory_handler for rank 0",
    why: "a handler name",
  },
  { source: SYNTHETIC, line: "memory efficient attention enabled", why: "a feature notice" },
  {
    source: SYNTHETIC,
    line: "torch.cuda.reset_max_memory_allocated()",
    why: "code echoed in a log",
  },
  {
    source: SYNTHETIC,
    line: "    except torch.cuda.OutOfMemoryError:",
    why: "a traceback's source line: the exception class named, not raised",
  },

  // Numbers that look like 137 and words that look like kills
  { source: SYNTHETIC, line: "Process finished with exit code 0", why: "a clean exit" },
  { source: SYNTHETIC, line: "exit code 0", why: "a clean exit" },
  {
    source: "https://github.com/kubernetes/website/issues/36064",
    line: "      Exit Code:                1",
    why: "an ordinary failure, not SIGKILL",
  },
  { source: SYNTHETIC, line: "steps_per_exec 137", why: "a setting that happens to be 137" },
  { source: SYNTHETIC, line: "step 4100 loss=0.137 lr=3.0e-04", why: "a metric value" },
  { source: SYNTHETIC, line: "Epoch 137/200", why: "a counter" },
  {
    source: SYNTHETIC,
    line: "Killed 3 zombie processes",
    why: "housekeeping by the job itself; only a bare `Killed` is the shell reporting SIGKILL",
  },
  { source: SYNTHETIC, line: "OOM guard disabled", why: "a configuration notice" },
  { source: SYNTHETIC, line: "no OOM detected", why: "a health check that passed" },
  {
    source: SYNTHETIC,
    line: "resource exhausted retries: 0",
    why: "no allocation failed; RESOURCE_EXHAUSTED counts only with allocation wording",
  },
  {
    source: "https://github.com/coderaiser/cloudcmd/issues/440",
    line: "OOMKilled:false,",
    why: "the container state says it was not OOM killed",
  },
  {
    source: "https://github.com/kubernetes/kubernetes/issues/19825",
    line: '        "OOMKilled": false,',
    why: "the container state says it was not OOM killed",
  },
  {
    source: "https://github.com/pytorch/pytorch/pull/175254",
    line: "exitcode  : -11 (pid: 5277)",
    why: "SIGSEGV, a crash rather than a kill",
  },
  {
    source: "https://github.com/hpcaitech/ColossalAI/issues/3514",
    line: "WARNING:torch.distributed.elastic.multiprocessing.api:Sending process 812914 closing signal SIGTERM",
    why: "torchrun stopping the other ranks after one failed",
  },
  {
    source: "https://github.com/pytorch/pytorch/issues/150916",
    line: "W0409 07:28:49.530000 1359 torch/distributed/elastic/agent/server/api.py:719] Received 15 death signal, shutting down workers",
    why: "SIGTERM, an orderly shutdown",
  },
  {
    source: "https://github.com/rshaojimmy/MultiModal-DeepFake/issues/24",
    line: "torch.multiprocessing.spawn.ProcessExitedException: process 1 terminated with signal SIGABRT",
    why: "an abort, not a kill",
  },
  {
    source: "https://github.com/pytorch/pytorch/issues/4507",
    line: "RuntimeError: DataLoader worker (pid 23616) is killed by signal: Terminated.",
    why: "SIGTERM, not SIGKILL",
  },
  {
    source: "https://github.com/MhLiao/DB/issues/94",
    line: "RuntimeError: DataLoader worker (pid 25902) is killed by signal: Segmentation fault",
    why: "a crash in the worker",
  },
  {
    source: "https://github.com/hafs-community/HAFS/issues/101",
    line: "srun: error: Orion-18-69: task 289: Bus error",
    why: "a bus error, not an OOM",
  },
  {
    source: "https://github.com/hafs-community/HAFS/issues/101",
    line: "slurmstepd: error: *** STEP 3495064.0 ON orion-01-01 CANCELLED AT 2021-10-27T19:35:36 ***",
    why: "a cancellation",
  },

  // Borderline framework messages
  {
    source: "https://github.com/sergiomsilva/alpr-unconstrained/issues/128",
    line: "2020-06-01 20:07:58.089327: W tensorflow/core/common_runtime/bfc_allocator.cc:239] Allocator (GPU_0_bfc) ran out of memory trying to allocate 45.53MiB with freed_by_count=0. The caller indicates that this is not a failure, but may mean that there could be performance gains if more memory were available.",
    why: "TF says so itself: the allocation was optional (e.g. convolution scratch space) and a fallback is used",
  },
  {
    source: "https://github.com/tensorflow/tensorflow/issues/23953",
    line: "16/100 [===>..........................] - ETA: 4:00 - loss: 1.6821e-05 - binary_accuracy: 0.0661 - mean_squared_error: 8.1152e-082018-11-25 19:05:02.936137: W tensorflow/core/common_runtime/bfc_allocator.cc:215] Allocator (GPU_0_bfc) ran out of memory trying to allocate 218.70MiB. The caller indicates that this is not a failure, but may mean that there could be performance gains if more memory were available.",
    why: "the same optional-allocation warning, glued to a Keras progress bar; training went on",
  },
  {
    source: "openxla/xla xla/tsl/framework/bfc_allocator.cc (DeallocateFreeRegions warning)",
    line: "Garbage collection: deallocate free memory regions (i.e., allocations) so that we can re-allocate a larger region to avoid OOM due to memory fragmentation. If you see this message frequently, you are running near the threshold of the available device memory and re-allocation may incur great performance overhead. You may try smaller batch sizes to observe the performance impact. Set TF_ENABLE_GPU_GARBAGE_COLLECTION=false if you'd like to disable this feature.",
    why: "the allocator avoiding an OOM",
  },
  {
    source: "https://github.com/Azure/MachineLearningNotebooks/issues/880",
    line: "Hint: If you want to see a list of allocated tensors when OOM happens, add report_tensor_allocations_upon_oom to RunOptions for current allocation info.",
    why: "TF prints this hint after any ResourceExhausted error, disk-full ones included (https://github.com/AASHISHAG/deepspeech-german/issues/5)",
  },
  {
    source: "https://github.com/Azure/MachineLearningNotebooks/issues/880",
    line: "ResourceExhaustedError: 2 root error(s) found.",
    why: "a headline; the cause follows on its own line, which is what gets matched",
  },
  {
    source: "https://github.com/keras-team/keras-tuner/issues/390",
    line: "tensorflow.python.framework.errors_impl.ResourceExhaustedError: models/singleton_classifiers/context.model/variables/variables_temp_d0c7555bd2aa4ae682695465c0d0e2f4/part-00000-of-00002.data-00000-of-00001.tempstate8490917510693379885; No space left on device",
    why: "TF maps ENOSPC to ResourceExhausted: a full disk, not memory",
  },
  {
    source: "https://github.com/keras-team/keras-tuner/issues/390",
    line: "tensorflow.python.framework.errors_impl.ResourceExhaustedError: disk quota exceeded [Op:SaveV2]",
    why: "a disk quota",
  },
  {
    source: "https://github.com/AaronJny/lotto/issues/2",
    line: " W tensorflow/core/framework/op_kernel.cc:1753] OP_REQUIRES failed at save_restore_v2_ops.cc:134 : Resource exhausted: checkpoints/model_checkpoint_35_temp_1b4ee8a5d4f64fbdaeb08d6891472655/part-00000-of-00001.data-00000-of-00001.tempstate4953384194912554988; No space left on device",
    why: "a full disk while saving a checkpoint",
  },
  {
    source: "https://github.com/kerlomz/captcha_trainer/issues/16",
    line: String.raw` E T:\src\github\tensorflow\tensorflow\stream_executor\cuda\cuda_driver.cc:936] failed to allocate 378.60M (396990720 bytes) from device: CUDA_ERROR_OUT_OF_MEMORY`,
    why: "the stream executor's region growth, retried with smaller sizes; a real failure is reported by the allocator or the op next",
  },
  {
    source: "https://github.com/google-deepmind/alphafold/issues/197",
    line: "2021-10-15 15:01:44.577626: E external/org_tensorflow/tensorflow/stream_executor/cuda/cuda_driver.cc:764] failed to alloc 2740606464 bytes unified memory; result: CUDA_ERROR_OUT_OF_MEMORY: out of memory",
    why: "XLA's host allocator retrying with 90% of the size each time; the fatal RESOURCE_EXHAUSTED line follows if it gives up",
  },
  {
    source: "https://github.com/keras-team/keras/issues/13889",
    line: "2023-11-01 16:19:17.812101: E tensorflow/compiler/xla/stream_executor/rocm/rocm_driver.cc:606] failed to allocate 127.99TiB (140729850295296 bytes) from device: HIP_ERROR_OutOfMemory",
    why: "the same retry loop on ROCm",
  },
  {
    source: "https://github.com/NVIDIA/nccl-tests/issues/166",
    line: "ubuntu:9621:9691 [6] misc/shmutils.cc:71 NCCL WARN Error: failed to extend /dev/shm/nccl-fjwOOB to 5967876 bytes",
    why: "/dev/shm too small (docker --shm-size): a configuration error, fixed by a flag rather than by less memory",
  },
  {
    source: "https://github.com/NVIDIA/nccl-tests/issues/166",
    line: "ubuntu:9621:9688 [3] misc/shmutils.cc:112 NCCL WARN Error while creating shared memory segment /dev/shm/nccl-KWfVyt (size 5967872)",
    why: "/dev/shm too small, as above",
  },
  {
    source:
      "pytorch/pytorch torch/utils/data/_utils/signal_handling.py message; see https://github.com/pytorch/pytorch/issues/2244",
    line: "RuntimeError: DataLoader worker (pid 229) is killed by signal: Bus error. It is possible that dataloader's workers are out of shared memory. Please try to raise your shared memory limit.",
    why: "/dev/shm too small, as above; a bus error, not a kill",
  },
  {
    source: "https://github.com/alisson-anjos/diffusion-pipe-ui/issues/10",
    line: "[rank0]: ncclUnhandledCudaError: Call to CUDA function failed.",
    why: "a headline; NCCL prints the CUDA error on the next line",
  },
  {
    source: "https://github.com/alisson-anjos/diffusion-pipe-ui/issues/10",
    line: "[rank0]: Cuda failure 999 'unknown error'",
    why: "a CUDA failure other than out of memory",
  },
  {
    source: "https://github.com/NVIDIA/nccl/issues/1410",
    line: "[rank7]: Cuda failure 1 'invalid argument'",
    why: "a CUDA failure other than out of memory",
  },
  {
    source: "huggingface/accelerate src/accelerate/utils/memory.py (should_reduce_batch_size list)",
    line: "RuntimeError: CUDA error: an illegal memory access was encountered",
    why: "a memory access bug, not exhaustion",
  },
  {
    source: "huggingface/accelerate src/accelerate/utils/memory.py (should_reduce_batch_size list)",
    line: "RuntimeError: cuDNN error: CUDNN_STATUS_NOT_SUPPORTED.",
    why: "cuDNN cannot run the shape (often a 32-bit index limit at large batch sizes); no allocation failed",
  },
  {
    source: "https://github.com/tensorflow/tensorflow/issues/9489",
    line: "failed to create cublas handle: CUBLAS_STATUS_NOT_INITIALIZED",
    why: "initialisation failure: sometimes memory taken by another process, as often a driver/library mismatch; only ALLOC_FAILED is an allocation failure",
  },
  {
    source: "https://github.com/intel/intel-extension-for-pytorch/issues/629",
    line: "RuntimeError: Current platform can NOT allocate memory block with size larger than 4GB! Tried to allocate 6.85 GiB (GPU  0; 15.56 GiB total capacity; 0 bytes already allocated; 0 bytes reserved in total by PyTorch)",
    why: "a per-allocation size limit of the platform; memory was not exhausted",
  },
];

export const OOM_LOG_BLOCKS: readonly OomLogBlock[] = [
  {
    name: "a PyTorch traceback ending in a CUDA out-of-memory error",
    source: "https://github.com/deepbeepmeep/Wan2GP/issues/1083",
    lines: [
      String.raw`  File "C:\Users\dwoo\Desktop\Wan2GP\wan2gp\python_embeded\lib\site-packages\torch\overrides.py", line 1725, in handle_torch_function`,
      "    result = mode.__torch_function__(public_api, types, args, kwargs)",
      String.raw`  File "C:\Users\dwoo\Desktop\Wan2GP\wan2gp\python_embeded\lib\site-packages\torch\utils\_device.py", line 103, in __torch_function__`,
      "    return func(*args, **kwargs)",
      String.raw`  File "C:\Users\dwoo\Desktop\Wan2GP\wan2gp\python_embeded\lib\site-packages\torch\nn\functional.py", line 2905, in layer_norm`,
      "    return torch.layer_norm(",
      "torch.AcceleratorError: CUDA error: out of memory",
      "CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.",
      "For debugging consider passing CUDA_LAUNCH_BLOCKING=1",
      "Compile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.",
      "",
      "During handling of the above exception, another exception occurred:",
      "",
      "Traceback (most recent call last):",
      String.raw`  File "C:\Users\dwoo\Desktop\Wan2GP\wan2gp\wgp.py", line 6020, in generate_video_error_handler`,
    ],
    expected: { framework: "pytorch-cuda", lineIndex: 6 },
  },
  {
    name: "a ROCm traceback followed by PyTorch's memory summary",
    source: "https://github.com/pytorch/pytorch/issues/175431",
    lines: [
      '  File "/usr/local/lib/python3.12/dist-packages/torch/nn/modules/module.py", line 1786, in _call_impl',
      "    return forward_call(*args, **kwargs)",
      "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      '  File "/workspace/Quark/quark/torch/quantization/observer/observer.py", line 712, in forward',
      "    amax, _ = torch.max(torch.abs(block_x), dim=-1, keepdim=True)",
      "              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      "torch.OutOfMemoryError: HIP out of memory. Tried to allocate 2.00 MiB. GPU 7 has a total capacity of 287.98 GiB of which 203.49 GiB is free. Of the allocated memory 68.63 GiB is allocated by PyTorch, and 14.93 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)",
      "",
      "Memory status:",
      "|===========================================================================|",
    ],
    expected: { framework: "pytorch-rocm", lineIndex: 6 },
  },
  {
    name: "a shell's Killed followed by the dmesg block that explains it",
    source: "https://github.com/equinor/ert/issues/7797",
    lines: [
      "[havb@be-lx139213:~]$ perl -wE 'my @xs; for (1..2**20) { push @xs, q{a} x 2**20 }; say scalar @xs;'",
      "Killed",
      "[havb@be-lx139213:~]$ dmesg --time-format iso  | grep oom",
      "2024-04-29T14:55:41,678628+02:00 pool invoked oom-killer: gfp_mask=0x6200ca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0",
      "2024-04-29T14:55:41,678661+02:00  oom_kill_process.cold.33+0xb/0x10",
      "2024-04-29T14:55:41,678996+02:00 [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
      "2024-04-29T14:55:41,679685+02:00 oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice/user-21417.slice/user@21417.service,task=perl,pid=1440763,uid=21417",
      "2024-04-29T14:55:41,679700+02:00 Out of memory: Killed process 1440763 (perl) total-vm:87033376kB, anon-rss:60356340kB, file-rss:0kB, shmem-rss:0kB, UID:21417 pgtables:169956kB oom_score_adj:0",
      "2024-04-29T14:55:46,947445+02:00 oom_reaper: reaped process 1440763 (perl), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
    ],
    expected: { framework: "exit-137", lineIndex: 1 },
  },
  {
    name: "a dmesg block on its own",
    source: "https://github.com/equinor/ert/issues/7797",
    lines: [
      "[havb@be-lx139213:~]$ dmesg --time-format iso  | grep oom",
      "2024-04-29T14:55:41,678628+02:00 pool invoked oom-killer: gfp_mask=0x6200ca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0",
      "2024-04-29T14:55:41,678661+02:00  oom_kill_process.cold.33+0xb/0x10",
      "2024-04-29T14:55:41,679700+02:00 Out of memory: Killed process 1440763 (perl) total-vm:87033376kB, anon-rss:60356340kB, file-rss:0kB, shmem-rss:0kB, UID:21417 pgtables:169956kB oom_score_adj:0",
    ],
    expected: { framework: "linux-oom-killer", lineIndex: 1 },
  },
  {
    name: "TensorFlow's allocator statistics before the failing op",
    source: "https://github.com/zzw922cn/Automatic_Speech_Recognition/issues/78",
    lines: [
      "2018-06-08 17:26:00.908082: I tensorflow/core/common_runtime/bfc_allocator.cc:680] Stats: ",
      "Limit:                 10625279591",
      "InUse:                  7350513920",
      "MaxInUse:               7464792320",
      "NumAllocs:                      82",
      "MaxAllocSize:           3656908800",
      "",
      "2018-06-08 17:26:00.908099: W tensorflow/core/common_runtime/bfc_allocator.cc:279] *****___******************************************************************__________________________",
      "2018-06-08 17:26:00.908130: W tensorflow/core/framework/op_kernel.cc:1202] OP_REQUIRES failed at tile_ops.cc:123 : Resource exhausted: OOM when allocating tensor with shape[16,1,892800,8,4,2,2] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc",
      "Traceback (most recent call last):",
      '  File "lib/python3.5/site-packages/tensorflow/python/client/session.py", line 1361, in _do_call',
    ],
    expected: { framework: "tensorflow", lineIndex: 8 },
  },
  {
    name: "a Keras graph error whose OOM line follows the headline",
    source: "https://github.com/hotosm/fAIr/issues/59",
    lines: [
      '  File "/usr/local/lib/python3.8/dist-packages/tensorflow/python/eager/execute.py", line 54, in quick_execute',
      "    tensors = pywrap_tfe.TFE_Py_Execute(ctx._handle, device_name, op_name,",
      "tensorflow.python.framework.errors_impl.ResourceExhaustedError: Graph execution error:",
      "",
      "OOM when allocating tensor with shape[16,64,64,64] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc",
    ],
    expected: { framework: "tensorflow", lineIndex: 4 },
  },
  {
    name: "a JAX traceback with XLA's buffer report",
    source: "https://github.com/jax-ml/jax/issues/13428",
    lines: [
      '  File "/home/gccrcv/anaconda3/envs/multinerf/lib/python3.9/site-packages/jax/_src/dispatch.py", line 895, in _execute_compiled',
      "    out_flat = compiled.execute(in_flat)",
      "jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to allocate 6291456 bytes.",
      "BufferAssignment OOM Debugging.",
      "BufferAssignment stats:",
      "             parameter allocation:    6.00MiB",
    ],
    expected: { framework: "jax-xla", lineIndex: 2 },
  },
  {
    name: "torchrun stopping the other ranks after one was SIGKILLed",
    source: "https://github.com/fidelity/stoke/issues/31",
    lines: [
      "WARNING:torch.distributed.elastic.multiprocessing.api:Sending process 10401 closing signal SIGTERM",
      "ERROR:torch.distributed.elastic.multiprocessing.api:failed (exitcode: -9) local_rank: 0 (pid: 10398) of binary: /anaconda/envs/py37_default/bin/python",
      "Traceback (most recent call last):",
      '  File "/anaconda/envs/py37_default/lib/python3.7/runpy.py", line 193, in _run_module_as_main',
    ],
    expected: { framework: "exit-137", lineIndex: 1 },
  },
  {
    name: "a Python traceback ending in a bare MemoryError",
    source: "https://github.com/juntang-zhuang/LadderNet/issues/3",
    lines: [
      "Traceback (most recent call last):",
      '  File "retinaNN_training.py", line 122, in <module>',
      "    train_set = TrainDataset(patches_imgs_train[train_ind,...],patches_masks_train[train_ind,...])",
      "MemoryError",
    ],
    expected: { framework: "python-memoryerror", lineIndex: 3 },
  },
  {
    name: "a checkpoint save failing on a full disk",
    source: "https://github.com/AaronJny/lotto/issues/2",
    lines: [
      " W tensorflow/core/framework/op_kernel.cc:1753] OP_REQUIRES failed at save_restore_v2_ops.cc:134 : Resource exhausted: checkpoints/model_checkpoint_35_temp_1b4ee8a5d4f64fbdaeb08d6891472655/part-00000-of-00001.data-00000-of-00001.tempstate4953384194912554988; No space left on device",
      "Traceback (most recent call last):",
      "Hint: If you want to see a list of allocated tensors when OOM happens, add report_tensor_allocations_upon_oom to RunOptions for current allocation info.",
    ],
    expected: undefined,
  },
  {
    name: "a healthy training log that talks about memory",
    source: SYNTHETIC,
    lines: [
      "2023-02-12 09:34:42.502658: I tensorflow/core/common_runtime/gpu/gpu_device.cc:1613] Created device /device:GPU:0 with 9920 MB memory:  -> device: 0, name: NVIDIA TITAN V, pci bus id: 0000:19:00.0, compute capability: 7.0",
      "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True",
      "Enabling gradient_checkpointing to reduce memory usage",
      "Epoch 137/200",
      "step 4100 loss=0.137 lr=3.0e-04",
      "|===========================================================================|",
      "|                  PyTorch CUDA memory summary, device ID 0                 |",
      "|---------------------------------------------------------------------------|",
      "|            CUDA OOMs: 0            |        cudaMalloc retries: 0         |",
      "|===========================================================================|",
      "GPU memory usage: 78%",
      "no OOM detected",
      "Process finished with exit code 0",
    ],
    expected: undefined,
  },
];
