#!/bin/sh
# Builds libsiacfft.so (siac_fft.c: the FFTs; siac_levelfit.c: the level fit's objective) into $2 with the JDK at
# $1. Without gcc, or on another platform, it says so and succeeds: siac then uses libtorch's FFT and the level fit's
# Java loop (dev.siac.dsp.NativeFft.available() is false).
jdk="$1"; out="$2"; dir="$(dirname "$0")"
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "siac: native FFT not built on $(uname -s)-$(uname -m); libtorch's FFT is used"; exit 0 ;;
esac
if ! command -v gcc >/dev/null 2>&1; then
  echo "siac: gcc not found, native FFT not built; libtorch's FFT is used"; exit 0
fi
mkdir -p "$out" || exit 0
if [ "$out/libsiacfft.so" -nt "$dir/siac_fft.c" ] && [ "$out/libsiacfft.so" -nt "$dir/siac_levelfit.c" ]; then exit 0; fi
gcc -O3 -fno-math-errno -ffp-contract=off -shared -fPIC -I"$jdk/include" -I"$jdk/include/linux" -o "$out/libsiacfft.so" \
  "$dir/siac_fft.c" "$dir/siac_levelfit.c" -ldl -lm \
  || { echo "siac: native FFT did not build; libtorch's FFT is used"; rm -f "$out/libsiacfft.so"; exit 0; }
