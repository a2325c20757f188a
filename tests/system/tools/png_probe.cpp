// png_probe: what a system test needs to know about a PNG the simulator wrote (the scanout's
// last frame): its size, an FNV-1a checksum of its RGB bytes, and chosen pixels.
//   png_probe FILE [X,Y]...
// prints "size WxH", "fnv1a 0xXXXXXXXX" and one "pixel X,Y = RRGGBB" per coordinate; exits 1 if
// the file cannot be read as a PNG or a coordinate lies outside the image.
#include <png.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: png_probe FILE [X,Y]...\n");
        return 1;
    }
    png_image image;
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&image, argv[1])) {
        std::fprintf(stderr, "png_probe: %s: %s\n", argv[1], image.message);
        return 1;
    }
    image.format = PNG_FORMAT_RGB;  // whatever the file holds, read it as 8-bit RGB
    std::vector<uint8_t> rgb(PNG_IMAGE_SIZE(image));
    if (!png_image_finish_read(&image, nullptr, rgb.data(), 0, nullptr)) {
        std::fprintf(stderr, "png_probe: %s: %s\n", argv[1], image.message);
        png_image_free(&image);
        return 1;
    }
    uint32_t hash = 0x811c9dc5u;
    for (uint8_t b : rgb) hash = (hash ^ b) * 0x01000193u;
    std::printf("size %ux%u\nfnv1a 0x%08x\n", image.width, image.height, hash);
    for (int i = 2; i < argc; ++i) {
        unsigned x = 0, y = 0;
        if (std::sscanf(argv[i], "%u,%u", &x, &y) != 2 || x >= image.width || y >= image.height) {
            std::fprintf(stderr, "png_probe: bad coordinate %s\n", argv[i]);
            return 1;
        }
        const uint8_t* p = &rgb[(static_cast<size_t>(y) * image.width + x) * 3];
        std::printf("pixel %u,%u = %02x%02x%02x\n", x, y, p[0], p[1], p[2]);
    }
    return 0;
}
