#!/bin/sh
# Builds libsiacfft.so (siac_fft.c) into $2 with the JDK at $1. Without gcc, or on another platform, it says so and
# succeeds: siac then uses libtorch's FFT (dev.siac.dsp.NativeFft.available() is false).
jdk="$1"; out="$2"; src="$(dirname "$0")/siac_fft.c"
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "siac: native FFT not built on $(uname -s)-$(uname -m); libtorch's FFT is used"; exit 0 ;;
esac
if ! command -v gcc >/dev/null 2>&1; then
  echo "siac: gcc not found, native FFT not built; libtorch's FFT is used"; exit 0
fi
mkdir -p "$out" || exit 0
if [ "$out/libsiacfft.so" -nt "$src" ]; then exit 0; fi
gcc -O2 -shared -fPIC -I"$jdk/include" -I"$jdk/include/linux" -o "$out/libsiacfft.so" "$src" -ldl \
  || { echo "siac: native FFT did not build; libtorch's FFT is used"; rm -f "$out/libsiacfft.so"; exit 0; }
