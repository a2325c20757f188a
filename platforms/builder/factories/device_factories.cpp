// Factories of socsim's platform DMA masters (DMA engine, scanout, video decoders, capture) and
// of the DMA-API debugging device.

#include "platforms/builder/factories/factory_support.h"

#include "models/core/address_range.h"
#include "models/devices/capture.h"
#include "models/devices/dma_debug.h"
#include "models/devices/dma_engine.h"
#include "models/devices/scanout.h"
#include "models/devices/video_decoder.h"

namespace socsim::platform {
namespace {

// The stream id / master index the master stamps on its DMA (read_iommus); no IOMMU: none.
uint32_t stream_of(const model_context& ctx) {
    const auto iommu = read_iommus(ctx.dt, ctx.node);
    if (!iommu) return core::dma_extension::no_id;
    if (!iommu->stream)
        bad_node(ctx, ctx.node, "'iommus' needs a stream id cell after the IOMMU phandle (#iommu-cells = <1>)");
    return *iommu->stream;
}

void need_reg(const model_context& ctx, uint64_t size) {
    if (ctx.regs.size() != 1 || ctx.regs[0].size < size)
        bad_node(ctx, ctx.node, "needs one 'reg' entry of at least " + core::hex(size) + " bytes");
}

sc_core::sc_time time_ps(const model_context& ctx, const char* prop, sc_core::sc_time fallback) {
    auto v = ctx.dt.number(ctx.node, prop);
    return v ? sc_core::sc_time(static_cast<double>(*v), sc_core::SC_PS) : fallback;
}

// What every platform DMA master's configuration starts from: its one register block checked,
// its stream id.
template <class Config>
Config master_config(const model_context& ctx) {
    need_reg(ctx, 0x1000);
    Config cfg;
    cfg.stream_id = stream_of(ctx);
    return cfg;
}

template <class Model>
built_model master(std::unique_ptr<Model> dev) {
    built_model m;
    m.targets = {&dev->socket};
    m.irq = &dev->irq;
    m.dma = &dev->dma.socket;
    m.module = std::move(dev);
    return m;
}

built_model make_dma_engine(model_context& ctx) {
    auto cfg = master_config<devices::dma_engine::config>(ctx);
    cfg.per_descriptor = time_ns(ctx, "socsim,descriptor-ns", cfg.per_descriptor);
    cfg.per_byte = time_ps(ctx, "socsim,ps-per-byte", cfg.per_byte);
    return master(std::make_unique<devices::dma_engine>(ctx.instance.c_str(), cfg));
}

built_model make_scanout(model_context& ctx) {
    auto cfg = master_config<devices::scanout::config>(ctx);
    cfg.frame_rate_hz = knob(ctx, "socsim,frame-rate-hz", cfg.frame_rate_hz, 1, 1000);
    cfg.png_path = ctx.dt.string(ctx.node, "socsim,png-output").value_or("");
    built_model m = master(std::make_unique<devices::scanout>(ctx.instance.c_str(), cfg));
    m.details.push_back(std::to_string(cfg.frame_rate_hz) + " frames/s" +
                        (cfg.png_path.empty() ? "" : ", last frame to " + cfg.png_path));
    return m;
}

built_model make_video(model_context& ctx, devices::video_decoder::variant kind) {
    auto cfg = master_config<devices::video_decoder::config>(ctx);
    cfg.kind = kind;
    cfg.per_pixel = time_ps(ctx, "socsim,ps-per-pixel", cfg.per_pixel);
    return master(std::make_unique<devices::video_decoder>(ctx.instance.c_str(), cfg));
}

built_model make_capture(model_context& ctx) {
    auto cfg = master_config<devices::capture::config>(ctx);
    cfg.per_pixel = time_ps(ctx, "socsim,ps-per-pixel", cfg.per_pixel);
    return master(std::make_unique<devices::capture>(ctx.instance.c_str(), cfg));
}

built_model make_dma_debug(model_context& ctx) {
    need_reg(ctx, 0x1000);
    auto dev = std::make_unique<devices::dma_debug>(ctx.instance.c_str());
    devices::dma_debug* d = dev.get();
    built_model m;
    m.targets = {&dev->socket};
    m.accept_announcements = [d](uint32_t phandle, iommu::dma_announcements& t) { d->attach(phandle, t); };
    m.module = std::move(dev);
    return m;
}

} // namespace

std::vector<model_entry> device_factories() {
    using kind = devices::video_decoder::variant;
    return {
        {{"socsim,dma-engine"}, "socsim DMA engine (descriptor ring: copy, fill)", make_dma_engine},
        {{"socsim,scanout"}, "socsim display scanout (XRGB8888 framebuffer, PNG output)", make_scanout},
        {{"socsim,video-engine"}, "socsim video engine (SRLE bitstream -> frame)",
         [](model_context& c) { return make_video(c, kind::video_engine); }},
        {{"socsim,vp9-decoder"}, "socsim VP9-like decoder (SRLE with reference frames)",
         [](model_context& c) { return make_video(c, kind::vp9); }},
        {{"socsim,capture"}, "socsim capture (CSI-like test-pattern frames)", make_capture},
        {{"socsim,dma-debug"}, "socsim DMA-API debugging (announced mappings, checked by the IOMMUs)",
         make_dma_debug},
    };
}

} // namespace socsim::platform
