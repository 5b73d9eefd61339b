// torch.distributed on LibTorch's c10d: one default process group per process (Gloo on CPU,
// NCCL on CUDA when this LibTorch has it) over a TCPStore rendezvous, with the collectives that
// data-parallel training needs. Every wait is bounded by the group's timeout, so a peer that
// died or hangs becomes a JavaScript Error naming the collective instead of a silent hang.
#include "common.h"
#include <torch/version.h>
#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <chrono>
#include <memory>

// Gloo's headers come from libgloo-dev (Debian) or the LibTorch distribution; without them this
// build has no Gloo backend and init_process_group says so.
#if __has_include(<gloo/algorithm.h>)
#define USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#if defined(CONTRASEG_CUDA) && __has_include(<nccl.h>)
#define USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

using namespace cs;

namespace {

// LibTorch 2 splits ProcessGroup into a front and per-device Backends; the backends keep the
// collectives of 1.13's ProcessGroup with the same signatures.
#if TORCH_VERSION_MAJOR >= 2
using Group = c10d::Backend;
#else
using Group = c10d::ProcessGroup;
#endif

struct DefaultGroup {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<Group> group;
  std::string backend;
  int rank = 0;
  int worldSize = 1;
  std::chrono::milliseconds timeout{0};
};
std::unique_ptr<DefaultGroup> g_group;

DefaultGroup& requireGroup(const char* op) {
  if (!g_group) throw ArgError(std::string(op) + ": the default process group is not initialised (call initProcessGroup first)");
  return *g_group;
}

/** Waits for a collective within the group's timeout; a timeout or a broken peer throws. */
void finish(const c10::intrusive_ptr<c10d::Work>& work, const char* what) {
  auto& g = *g_group;
  bool done = false;
  try {
    done = work->wait(g.timeout);
  } catch (const std::exception& e) {
    // Gloo reports its own timeout as an exception ("Operation timed out!").
    if (std::string(e.what()).find("timed out") == std::string::npos)
      throw std::runtime_error(std::string(what) + " failed on rank " + std::to_string(g.rank) + " of " +
                               std::to_string(g.worldSize) + " (a peer died or broke the connection): " + e.what());
  }
  if (!done)
    throw std::runtime_error(std::string(what) + " timed out on rank " + std::to_string(g.rank) + " of " +
                             std::to_string(g.worldSize) + " after " + std::to_string(g.timeout.count()) +
                             " ms (a peer hangs or died)");
}

void allReduceSum(std::vector<at::Tensor>& ts, const char* what) {
  auto& g = *g_group;
  c10d::AllreduceOptions opts;
  opts.reduceOp = c10d::ReduceOp::SUM;
  opts.timeout = g.timeout;
  finish(g.group->allreduce(ts, opts), what);
}

/** Σ over ranks whose gradient is Σ over ranks too: ∂(Σ_k L_k)/∂x_r = Σ_k ∂L_k/∂y_k. */
struct AllReduceSumFunction : public torch::autograd::Function<AllReduceSumFunction> {
  static at::Tensor forward(torch::autograd::AutogradContext*, const at::Tensor& x) {
    std::vector<at::Tensor> ts{x.clone(at::MemoryFormat::Contiguous)};
    allReduceSum(ts, "allReduceSum");
    return ts[0];
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext*,
                                                 torch::autograd::variable_list grads) {
    std::vector<at::Tensor> ts{grads[0].clone(at::MemoryFormat::Contiguous)};
    allReduceSum(ts, "allReduceSum backward");
    return {ts[0]};
  }
};

}  // namespace

/**
 * initProcessGroup(backend, masterAddr, masterPort, rank, worldSize, timeoutMs): rank 0 serves
 * the TCPStore on masterAddr:masterPort, every rank connects and joins the group.
 */
OP(dist_initProcessGroup) {
  if (g_group) throw ArgError("initProcessGroup: the default process group is already initialised");
  const std::string backend = argString(info, 0);
  const std::string addr = argString(info, 1);
  const int64_t port = argInt(info, 2);
  const int64_t rank = argInt(info, 3);
  const int64_t world = argInt(info, 4);
  const std::chrono::milliseconds timeout(argInt(info, 5));
  if (port < 1 || port > 65535) throw ArgError("initProcessGroup: port out of range");
  if (world < 1 || rank < 0 || rank >= world) throw ArgError("initProcessGroup: rank outside 0..worldSize-1");
  auto g = std::make_unique<DefaultGroup>();
  c10d::TCPStoreOptions so;
  so.port = static_cast<uint16_t>(port);
  so.isServer = rank == 0;
  so.numWorkers = static_cast<size_t>(world);
  so.waitWorkers = true;
  so.timeout = timeout;
  g->store = c10::make_intrusive<c10d::TCPStore>(addr, so);
  if (backend == "gloo") {
#ifdef USE_C10D_GLOO
    auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
    opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(addr == "localhost" ? "127.0.0.1" : addr));
    g->group = c10::make_intrusive<c10d::ProcessGroupGloo>(g->store, rank, world, opts);
#else
    throw ArgError("initProcessGroup: this build of the addon has no Gloo (install libgloo-dev and rebuild)");
#endif
  } else if (backend == "nccl") {
#ifdef USE_C10D_NCCL
    auto opts = c10d::ProcessGroupNCCL::Options::create();
    opts->timeout = timeout;
    g->group = c10::make_intrusive<c10d::ProcessGroupNCCL>(g->store, rank, world, opts);
#else
    throw ArgError("initProcessGroup: this build of the addon has no NCCL (needs a CUDA LibTorch and nccl.h)");
#endif
  } else {
    throw ArgError("initProcessGroup: unknown backend '" + backend + "' (gloo or nccl)");
  }
  g->backend = backend;
  g->rank = static_cast<int>(rank);
  g->worldSize = static_cast<int>(world);
  g->timeout = timeout;
  g_group = std::move(g);
  return info.Env().Undefined();
}

OP(dist_destroyProcessGroup) {
  g_group.reset();
  return info.Env().Undefined();
}

OP(dist_isInitialized) { return Napi::Boolean::New(info.Env(), g_group != nullptr); }

OP(dist_backends) {
  Napi::Array a = Napi::Array::New(info.Env());
  uint32_t i = 0;
#ifdef USE_C10D_GLOO
  a.Set(i++, "gloo");
#endif
#ifdef USE_C10D_NCCL
  a.Set(i++, "nccl");
#endif
  return a;
}

/** allReduce_(tensors, 'sum'|'max'|'min'): in place, on contiguous tensors. */
OP(dist_allReduce_) {
  auto& g = requireGroup("allReduce");
  std::vector<at::Tensor> ts = argTensorList(info, 0);
  const std::string op = argString(info, 1);
  c10d::AllreduceOptions opts;
  if (op == "sum") opts.reduceOp = c10d::ReduceOp::SUM;
  else if (op == "max") opts.reduceOp = c10d::ReduceOp::MAX;
  else if (op == "min") opts.reduceOp = c10d::ReduceOp::MIN;
  else throw ArgError("allReduce: unknown op '" + op + "' (sum, max or min)");
  opts.timeout = g.timeout;
  for (auto& t : ts)
    if (!t.is_contiguous()) throw ArgError("allReduce: tensors must be contiguous");
  finish(g.group->allreduce(ts, opts), "allReduce");
  return info.Env().Undefined();
}

/**
 * allReduceMeanBucketed_(tensors, bucketBytes): averages same-dtype tensors over the ranks in
 * place as DistributedDataParallel does with gradients: packed into flat buckets of at most
 * bucketBytes (a tensor larger than that gets its own), every bucket's all-reduce issued before
 * any is awaited, each bucket divided by the world size and copied back.
 */
OP(dist_allReduceMeanBucketed_) {
  auto& g = requireGroup("allReduceMeanBucketed");
  std::vector<at::Tensor> ts = argTensorList(info, 0);
  const int64_t cap = argInt(info, 1);
  std::vector<std::vector<size_t>> buckets;
  int64_t filled = cap;
  for (size_t i = 0; i < ts.size(); i++) {
    const int64_t bytes = ts[i].numel() * static_cast<int64_t>(ts[i].element_size());
    if (buckets.empty() || filled + bytes > cap || ts[i].scalar_type() != ts[buckets.back()[0]].scalar_type()) {
      buckets.emplace_back();
      filled = 0;
    }
    buckets.back().push_back(i);
    filled += bytes;
  }
  std::vector<at::Tensor> flats;
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  c10d::AllreduceOptions opts;
  opts.reduceOp = c10d::ReduceOp::SUM;
  opts.timeout = g.timeout;
  for (auto& b : buckets) {
    std::vector<at::Tensor> parts;
    for (size_t i : b) parts.push_back(ts[i].reshape({-1}));
    std::vector<at::Tensor> one{at::cat(parts)};
    works.push_back(g.group->allreduce(one, opts));
    flats.push_back(one[0]);
  }
  for (size_t k = 0; k < buckets.size(); k++) {
    finish(works[k], "allReduce of the gradients");
    flats[k].div_(g.worldSize);
    int64_t offset = 0;
    for (size_t i : buckets[k]) {
      const int64_t n = ts[i].numel();
      ts[i].copy_(flats[k].narrow(0, offset, n).view(ts[i].sizes()));
      offset += n;
    }
  }
  return info.Env().Undefined();
}

/** allReduceSum(t): a new tensor, Σ over ranks, differentiable (its gradient is Σ over ranks). */
OP(dist_allReduceSum) {
  requireGroup("allReduceSum");
  return wrap(info.Env(), AllReduceSumFunction::apply(argTensor(info, 0)));
}

/** broadcast_(tensors, src): every rank's tensors become rank src's, in place. */
OP(dist_broadcast_) {
  auto& g = requireGroup("broadcast");
  std::vector<at::Tensor> ts = argTensorList(info, 0);
  c10d::BroadcastOptions opts;
  opts.rootRank = argInt(info, 1);
  opts.rootTensor = 0;
  opts.timeout = g.timeout;
  for (auto& t : ts) {
    if (!t.is_contiguous()) throw ArgError("broadcast: tensors must be contiguous");
    std::vector<at::Tensor> one{t};
    finish(g.group->broadcast(one, opts), "broadcast");
  }
  return info.Env().Undefined();
}

/** allGather(t): the list of every rank's t (same shape and dtype on every rank), rank order. */
OP(dist_allGather) {
  auto& g = requireGroup("allGather");
  at::Tensor t = argTensor(info, 0).contiguous();
  std::vector<std::vector<at::Tensor>> out(1);
  for (int r = 0; r < g.worldSize; r++) out[0].push_back(at::empty_like(t));
  std::vector<at::Tensor> in{t};
  c10d::AllgatherOptions opts;
  opts.timeout = g.timeout;
  finish(g.group->allgather(out, in, opts), "allGather");
  return wrapList(info.Env(), out[0]);
}

OP(dist_barrier) {
  auto& g = requireGroup("barrier");
  c10d::BarrierOptions opts;
  opts.timeout = g.timeout;
  finish(g.group->barrier(opts), "barrier");
  return info.Env().Undefined();
}

namespace cs {
void registerOpsDist(Napi::Env env, Napi::Object exports) {
#define OPS_DIST CS_EXPORT
#include "ops.def"
}
}  // namespace cs
