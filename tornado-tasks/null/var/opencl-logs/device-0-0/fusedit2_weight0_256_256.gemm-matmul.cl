#pragma OPENCL EXTENSION cl_khr_fp64 : enable  
#pragma OPENCL EXTENSION cl_khr_fp16 : enable  
#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable  
__kernel void matmul(__global long *_kernel_context, __constant uchar *_constant_region, __local uchar *_local_region, __global int *_atomics, __global uchar *dims, __global uchar *a, __global uchar *b, __global uchar *bBf16, __global uchar *c)
{
  long l_217, l_216, l_87, l_215, l_86, l_85, l_78, l_110, l_77, l_109, l_76, l_105, l_104, l_102; 
  ulong ul_0, ul_4, ul_3, ul_2, ul_1, ul_88, ul_23, ul_21, ul_218, ul_15, ul_79, ul_111, ul_13, ul_19, ul_17, ul_209, ul_7, ul_11, ul_106, ul_9; 
  int i_210, i_213, i_214, i_211, i_212, i_206, i_153, i_152, i_18, i_16, i_22, i_20, i_10, i_8, i_14, i_12, i_65, i_63, i_64, i_69, i_67, i_57, i_58, i_55, i_56, i_61, i_62, i_59, i_60, i_82, i_83, i_84, i_73, i_74, i_71, i_75, i_33, i_34, i_31, i_32, i_37, i_38, i_35, i_36, i_25, i_26, i_24, i_29, i_30, i_27, i_28, i_49, i_50, i_47, i_48, i_53, i_54, i_51, i_52, i_41, i_42, i_39, i_40, i_45, i_46, i_43, i_44, i_128, i_132, i_121, i_122, i_119, i_120, i_125, i_126, i_123, i_124, i_145, i_146, i_144, i_149, i_148, i_142, i_97, i_98, i_95, i_96, i_101, i_99, i_100, i_90, i_93, i_113, i_114, i_117, i_118, i_115, i_116; 
  float f_108, f_107, f_220, f_89, f_222, f_221, f_140, f_139, f_136, f_135, f_134, f_147, f_131, f_130, f_129, f_127, f_172, f_171, f_170, f_169, f_168, f_167, f_166, f_165, f_180, f_179, f_178, f_177, f_176, f_175, f_174, f_173, f_156, f_155, f_154, f_151, f_150, f_164, f_163, f_162, f_161, f_160, f_159, f_158, f_157, f_204, f_203, f_202, f_201, f_200, f_199, f_198, f_197, f_81, f_80, f_205, f_188, f_187, f_186, f_185, f_184, f_183, f_182, f_181, f_196, f_195, f_66, f_194, f_193, f_192, f_191, f_190, f_189; 
  short sh_112; 
  bool b_208, b_92, b_94, b_91, b_219, b_68, b_133, b_70, b_103, b_141, b_143, b_207, b_72, b_137, b_138; 

  // BLOCK 0
  ul_0  =  (ulong) dims;
  ul_1  =  (ulong) a;
  ul_2  =  (ulong) b;
  ul_3  =  (ulong) bBf16;
  ul_4  =  (ulong) c;
  __local float adf_5[256];
  __local float adf_6[256];
  ul_7  =  ul_0 + 20L;
  i_8  =  *((__global int *) ul_7);
  ul_9  =  ul_0 + 24L;
  i_10  =  *((__global int *) ul_9);
  ul_11  =  ul_0 + 28L;
  i_12  =  *((__global int *) ul_11);
  ul_13  =  ul_0 + 32L;
  i_14  =  *((__global int *) ul_13);
  ul_15  =  ul_0 + 36L;
  i_16  =  *((__global int *) ul_15);
  ul_17  =  ul_0 + 56L;
  i_18  =  *((__global int *) ul_17);
  ul_19  =  ul_0 + 40L;
  i_20  =  *((__global int *) ul_19);
  ul_21  =  ul_0 + 44L;
  i_22  =  *((__global int *) ul_21);
  ul_23  =  ul_0 + 48L;
  i_24  =  *((__global int *) ul_23);
  i_25  =  get_group_id(0);
  i_26  =  i_25 << 4;
  i_27  =  get_local_id(0);
  i_28  =  i_26 + i_27;
  i_29  =  get_group_id(1);
  i_30  =  i_29 << 4;
  i_31  =  get_local_id(1);
  i_32  =  i_30 + i_31;
  i_33  =  i_27 + 240;
  i_34  =  i_31 << 4;
  i_35  =  i_34 + 15;
  i_36  =  i_27 + 224;
  i_37  =  i_34 + 14;
  i_38  =  i_27 + 208;
  i_39  =  i_34 + 13;
  i_40  =  i_27 + 192;
  i_41  =  i_34 + 12;
  i_42  =  i_27 + 176;
  i_43  =  i_34 + 11;
  i_44  =  i_27 + 160;
  i_45  =  i_34 + 10;
  i_46  =  i_27 + 144;
  i_47  =  i_34 + 9;
  i_48  =  i_27 + 128;
  i_49  =  i_34 + 8;
  i_50  =  i_27 + 112;
  i_51  =  i_34 + 7;
  i_52  =  i_27 + 96;
  i_53  =  i_34 + 6;
  i_54  =  i_27 + 80;
  i_55  =  i_34 + 5;
  i_56  =  i_27 + 64;
  i_57  =  i_34 + 4;
  i_58  =  i_27 + 48;
  i_59  =  i_34 + 3;
  i_60  =  i_27 + 32;
  i_61  =  i_34 + 2;
  i_62  =  i_27 + 16;
  i_63  =  i_34 + 1;
  i_64  =  i_34 + i_27;
  i_65  =  get_global_id(2);
  // BLOCK 1 MERGES [0 37 ]
  f_66  =  0.0F;
  i_67  =  0;
  for(;i_67 < i_12;)
  {
    // BLOCK 2
    b_68  =  i_32 < i_8;
    if(b_68)
    {
      // BLOCK 3
      i_69  =  i_67 + i_27;
      b_70  =  i_69 < i_12;
      if(b_70)
      {
        // BLOCK 4
        i_71  =  i_65 * i_20;
        b_72  =  i_14 == 0;
        if(b_72)
        {
          // BLOCK 5
          i_73  =  i_32 * i_12;
          i_74  =  i_71 + i_73;
          i_75  =  i_74 + i_69;
          l_76  =  (long) i_75;
          l_77  =  l_76 + 4L;
          l_78  =  l_77 << 2;
          ul_79  =  ul_1 + l_78;
          f_80  =  *((__global float *) ul_79);
          f_81  =  f_80;
        }  // B4
        else
        {
          // BLOCK 6
          i_82  =  i_69 * i_8;
          i_83  =  i_82 + i_71;
          i_84  =  i_83 + i_32;
          l_85  =  (long) i_84;
          l_86  =  l_85 + 4L;
          l_87  =  l_86 << 2;
          ul_88  =  ul_1 + l_87;
          f_89  =  *((__global float *) ul_88);
          f_81  =  f_89;
        }  // B4
      }  // B3
      else
      {
        // BLOCK 7
        f_81  =  0.0F;
      }  // B3
    }  // B2
    else
    {
      // BLOCK 8
      f_81  =  0.0F;
    }  // B2
    // BLOCK 9 MERGES [8 7 6 5 ]
    adf_5[i_64]  =  f_81;
    i_90  =  i_67 + i_31;
    b_91  =  i_90 < i_12;
    if(b_91)
    {
      // BLOCK 10
      b_92  =  i_28 < i_10;
      if(b_92)
      {
        // BLOCK 11
        i_93  =  i_22 * i_65;
        b_94  =  i_16 == 0;
        if(b_94)
        {
          // BLOCK 12
          i_95  =  i_90 * i_10;
          i_96  =  i_93 + i_95;
          i_97  =  i_96 + i_28;
          i_98  =  i_97;
        }  // B11
        else
        {
          // BLOCK 13
          i_99  =  i_28 * i_12;
          i_100  =  i_99 + i_93;
          i_101  =  i_100 + i_90;
          i_98  =  i_101;
        }  // B11
        // BLOCK 14 MERGES [13 12 ]
        l_102  =  (long) i_98;
        b_103  =  i_18 == 0;
        if(b_103)
        {
          // BLOCK 15
          l_104  =  l_102 + 4L;
          l_105  =  l_104 << 2;
          ul_106  =  ul_2 + l_105;
          f_107  =  *((__global float *) ul_106);
          f_108  =  f_107;
        }  // B14
        else
        {
          // BLOCK 16
          l_109  =  l_102 + 8L;
          l_110  =  l_109 << 1;
          ul_111  =  ul_3 + l_110;
          sh_112  =  *((__global short *) ul_111);
          i_113  =  (int) sh_112;
          i_114  =  i_113 >> 31;
          i_115  =  i_114 & 65536;
          i_116  =  i_115 + i_113;
          i_117  =  i_116 >> 31;
          i_118  =  i_117 >> 17;
          i_119  =  i_118 + i_116;
          i_120  =  i_119 & -32768;
          i_121  =  i_116 - i_120;
          i_122  =  i_121 >> 31;
          i_123  =  i_122 >> 25;
          i_124  =  i_123 + i_121;
          i_125  =  i_124 & -128;
          i_126  =  i_121 - i_125;
          f_127  =  (float) i_126;
          i_128  =  i_119 >> 15;
          f_129  =  (float) i_128;
          f_130  =  f_129 * 2.0F;
          f_131  =  1.0F - f_130;
          i_132  =  i_124 >> 7;
          b_133  =  i_132 == 0;
          if(b_133)
          {
            // BLOCK 17
            f_134  =  f_127 * 0.0078125F;
            f_135  =  f_131 * f_134;
            f_136  =  f_135 * 1.1754944E-38F;
            f_108  =  f_136;
          }  // B16
          else
          {
            // BLOCK 18
            b_137  =  i_132 == 255;
            if(b_137)
            {
              // BLOCK 19
              b_138  =  i_121 == i_125;
              if(b_138)
              {
                // BLOCK 20
                f_139  =  1.0F / 0.0F;
                f_140  =  f_139 * f_131;
                f_108  =  f_140;
              }  // B19
              else
              {
                // BLOCK 21
              }  // B19
            }  // B18
            else
            {
              // BLOCK 22
            }  // B18
            // BLOCK 23 MERGES [22 21 ]
            b_141  =  i_132 == 255;
            if(b_141)
            {
              // BLOCK 24
              f_108  =  NaNF;
            }  // B23
            else
            {
              // BLOCK 25
              i_142  =  i_132 + -127;
              b_143  =  i_132 < 127;
              if(b_143)
              {
                // BLOCK 26
                i_144  =  -i_142;
                i_145  =  0;
                i_146  =  i_144;
              }  // B25
              else
              {
                // BLOCK 27
                i_145  =  i_142;
                i_146  =  0;
              }  // B25
              // BLOCK 28 MERGES [27 26 ]
              // BLOCK 29 MERGES [28 30 ]
              f_147  =  1.0F;
              i_148  =  0;
              for(;i_148 < i_145;)
              {
                // BLOCK 30
                i_149  =  i_148 + 1;
                f_150  =  f_147 * 2.0F;
                f_147  =  f_150;
                i_148  =  i_149;
              }  // B29
              // BLOCK 31
              // BLOCK 32 MERGES [31 33 ]
              f_151  =  f_147;
              i_152  =  0;
              for(;i_152 < i_146;)
              {
                // BLOCK 33
                i_153  =  i_152 + 1;
                f_154  =  f_151 * 0.5F;
                f_151  =  f_154;
                i_152  =  i_153;
              }  // B32
              // BLOCK 34
              f_155  =  fma(f_127, 0.0078125F, 1.0F);
              f_156  =  f_155 * f_131;
              f_157  =  f_156 * f_151;
              f_108  =  f_157;
            }  // B23
          }  // B16
        }  // B14
      }  // B10
      else
      {
        // BLOCK 35
        f_108  =  0.0F;
      }  // B10
    }  // B9
    else
    {
      // BLOCK 36
      f_108  =  0.0F;
    }  // B9
    // BLOCK 37 MERGES [36 35 17 15 34 24 20 ]
    adf_6[i_64]  =  f_108;
    barrier(CLK_LOCAL_MEM_FENCE);
    f_158  =  adf_5[i_34];
    f_159  =  adf_6[i_27];
    f_160  =  adf_5[i_63];
    f_161  =  adf_6[i_62];
    f_162  =  adf_5[i_61];
    f_163  =  adf_6[i_60];
    f_164  =  adf_5[i_59];
    f_165  =  adf_6[i_58];
    f_166  =  adf_5[i_57];
    f_167  =  adf_6[i_56];
    f_168  =  adf_5[i_55];
    f_169  =  adf_6[i_54];
    f_170  =  adf_5[i_53];
    f_171  =  adf_6[i_52];
    f_172  =  adf_5[i_51];
    f_173  =  adf_6[i_50];
    f_174  =  adf_5[i_49];
    f_175  =  adf_6[i_48];
    f_176  =  adf_5[i_47];
    f_177  =  adf_6[i_46];
    f_178  =  adf_5[i_45];
    f_179  =  adf_6[i_44];
    f_180  =  adf_5[i_43];
    f_181  =  adf_6[i_42];
    f_182  =  adf_5[i_41];
    f_183  =  adf_6[i_40];
    f_184  =  adf_5[i_39];
    f_185  =  adf_6[i_38];
    f_186  =  adf_5[i_37];
    f_187  =  adf_6[i_36];
    f_188  =  adf_5[i_35];
    f_189  =  adf_6[i_33];
    barrier(CLK_LOCAL_MEM_FENCE);
    f_190  =  fma(f_158, f_159, f_66);
    f_191  =  fma(f_160, f_161, f_190);
    f_192  =  fma(f_162, f_163, f_191);
    f_193  =  fma(f_164, f_165, f_192);
    f_194  =  fma(f_166, f_167, f_193);
    f_195  =  fma(f_168, f_169, f_194);
    f_196  =  fma(f_170, f_171, f_195);
    f_197  =  fma(f_172, f_173, f_196);
    f_198  =  fma(f_174, f_175, f_197);
    f_199  =  fma(f_176, f_177, f_198);
    f_200  =  fma(f_178, f_179, f_199);
    f_201  =  fma(f_180, f_181, f_200);
    f_202  =  fma(f_182, f_183, f_201);
    f_203  =  fma(f_184, f_185, f_202);
    f_204  =  fma(f_186, f_187, f_203);
    f_205  =  fma(f_188, f_189, f_204);
    i_206  =  i_67 + 16;
    f_66  =  f_205;
    i_67  =  i_206;
  }  // B1
  // BLOCK 38
  b_207  =  i_32 < i_8;
  if(b_207)
  {
    // BLOCK 39
    b_208  =  i_28 < i_10;
    if(b_208)
    {
      // BLOCK 40
      ul_209  =  ul_0 + 52L;
      i_210  =  *((__global int *) ul_209);
      i_211  =  i_24 * i_65;
      i_212  =  i_32 * i_10;
      i_213  =  i_211 + i_212;
      i_214  =  i_213 + i_28;
      l_215  =  (long) i_214;
      l_216  =  l_215 + 4L;
      l_217  =  l_216 << 2;
      ul_218  =  ul_4 + l_217;
      b_219  =  i_210 == 0;
      if(b_219)
      {
        // BLOCK 41
        f_220  =  f_66;
      }  // B40
      else
      {
        // BLOCK 42
        f_221  =  *((__global float *) ul_218);
        f_222  =  f_221 + f_66;
        f_220  =  f_222;
      }  // B40
      // BLOCK 43 MERGES [41 42 ]
      *((__global float *) ul_218)  =  f_220;
    }  // B39
    else
    {
      // BLOCK 44
      return;
    }  // B39
  }  // B38
  else
  {
    // BLOCK 45
  }  // B38
  // BLOCK 46 MERGES [45 44 43 ]
  return;
}  //  kernel
